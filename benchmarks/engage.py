"""Engage: outbox sends per second against a local fake Mastodon, tone-check latency.

Usage: python benchmarks/engage.py [--replies N] [--runs R] [--keystrokes K]

- **Outbox throughput.** N replies are queued (each a committed outbox row with its
  idempotency key), then one ``send_due`` pass sends them to a fake Mastodon server
  on 127.0.0.1 (the one the tests use, which honours Idempotency-Key). Reported: sends
  per second including every workspace write (attempt row, outbox, reply log,
  mention), and queueing per second. The peer is the bare HTTP POST loop with the
  same client and server: the ratio says what exactly-once bookkeeping costs.
- **Tone check per keystroke.** A 280-character reply is "typed" one character at a
  time; each prefix is checked as the composer does after its debounce (VADER +
  hints). Reported: median and 95th percentile milliseconds per check, and the same
  for the grapheme/Mastodon length counters that run on every keystroke.

Medians of ``--runs`` runs; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPLY = (
    "Hi Nadia, sorry about the trouble with your Nimbus Router X2. Could you DM us your "
    "order number? We will sort out a replacement today, and firmware 4.2 fixes the 5 GHz "
    "drop in the meantime: https://nimbus.example/fw. Thanks for your patience! Dana 👍🏽"
)


def bench_outbox(template: Path, n: int, tmp: Path) -> dict[str, float]:
    import httpx

    from engage_desktop.composer.compose import queue_reply
    from engage_desktop.outbox.connect import connect_mastodon
    from engage_desktop.outbox.send import send_due
    from engage_desktop.workspace.database import Workspace
    from tests.fakes.mastodon import FakeMastodon

    path = tmp / "bench.engage"
    shutil.copy2(template, path)
    with FakeMastodon(max_characters=1000) as fake, Workspace.open(path) as ws:
        account = connect_mastodon(ws, fake.url, "good-token").account
        ids = [
            r[0]
            for r in ws.cursor()
            .execute("SELECT id FROM mentions WHERE channel = 'mastodon' ORDER BY id LIMIT ?", [n])
            .fetchall()
        ]
        ids = (ids * (n // len(ids) + 1))[:n]
        started = time.perf_counter()
        for mention_id in ids:
            queue_reply(ws, mention_id, REPLY, channel="mastodon", account_id=account.id)
        queue_s = time.perf_counter() - started
        started = time.perf_counter()
        summary = send_due(ws)
        send_s = time.perf_counter() - started
        assert summary.sent == n and len(fake.statuses) == n, summary.line()
        # The peer: the same POSTs with the same client, no workspace at all.
        with httpx.Client(base_url=fake.url, headers={"Authorization": "Bearer good-token"}) as c:
            started = time.perf_counter()
            for i in range(n):
                c.post(
                    "/api/v1/statuses",
                    json={"status": REPLY, "in_reply_to_id": "1"},
                    headers={"Idempotency-Key": f"peer-{i}"},
                ).raise_for_status()
            bare_s = time.perf_counter() - started
    path.unlink()
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        wal.unlink()
    return {"queue_per_s": n / queue_s, "send_per_s": n / send_s, "bare_post_per_s": n / bare_s}


def bench_tone(keystrokes: int) -> dict[str, float]:
    from engage_desktop.composer.reply_rules import grapheme_count, mastodon_length
    from engage_desktop.composer.tone import check_tone, warm_up

    warm_up()
    text = (REPLY * 3)[:keystrokes]
    tone_ms, count_ms = [], []
    for i in range(1, len(text) + 1):
        prefix = text[:i]
        started = time.perf_counter()
        check_tone(prefix, "Nadia")
        tone_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        grapheme_count(prefix)
        mastodon_length(prefix)
        count_ms.append((time.perf_counter() - started) * 1000)
    tone_ms.sort()
    count_ms.sort()
    return {
        "tone_ms_median": statistics.median(tone_ms),
        "tone_ms_p95": tone_ms[int(len(tone_ms) * 0.95) - 1],
        "counter_ms_median": statistics.median(count_ms),
        "counter_ms_p95": count_ms[int(len(count_ms) * 0.95) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keystrokes", type=int, default=280)
    args = parser.parse_args()
    from engage_desktop.demo.build import build_demo

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        # Secrets of the benchmark account stay in this temporary folder.
        os.environ["ENGAGE_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        template = tmp / "template.engage"
        build_demo(template, 5000, seed=7)
        outbox_runs = [bench_outbox(template, args.replies, tmp) for _ in range(args.runs)]
        tone_runs = [bench_tone(args.keystrokes) for _ in range(args.runs)]
    figures: dict[str, float] = {}
    for key in outbox_runs[0]:
        figures[key] = round(statistics.median(r[key] for r in outbox_runs), 1)
    for key in tone_runs[0]:
        figures[key] = round(statistics.median(r[key] for r in tone_runs), 4)
    figures["send_vs_bare_post"] = round(figures["send_per_s"] / figures["bare_post_per_s"], 3)
    from engage_desktop.composer.tone import engine as tone_engine

    engine = tone_engine()
    print(f"outbox: {args.replies} replies, median of {args.runs} runs")
    print(f"  queue (committed rows with keys): {figures['queue_per_s']:8.1f} /s")
    print(f"  send (HTTP + exactly-once writes): {figures['send_per_s']:8.1f} /s")
    print(f"  peer: bare HTTP POST loop:        {figures['bare_post_per_s']:8.1f} /s")
    print(f"  ratio send / bare POST:           {figures['send_vs_bare_post']:8.3f}")
    print(f"tone check per keystroke ({args.keystrokes} keystrokes, VADER engine: {engine})")
    print(f"  median {figures['tone_ms_median']:.3f} ms, p95 {figures['tone_ms_p95']:.3f} ms")
    print(
        f"  length counters: median {figures['counter_ms_median']:.4f} ms, "
        f"p95 {figures['counter_ms_p95']:.4f} ms"
    )
    print(json.dumps({"benchmark": "engage", "replies": args.replies, **figures}))


if __name__ == "__main__":
    main()
