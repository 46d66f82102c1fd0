"""What each exclusion of the spec saves, measured on two real builds.

Builds the bundle with every exclusion group kept (``ENGAGE_DIST_KEEP`` naming them
all: the spec without any slimming) and compares it file by file with the slim
bundle (``make dist``):

- a file only the full bundle has is put to the group that leaves it out: the first
  group whose file patterns match its path, else whose left-out modules it belongs
  to (``pandas`` -> ``pandas/``, ``PySide6.QtNetwork`` -> ``PySide6/QtNetwork*``);
  what no group names is reported as ``other`` (dependencies of left-out modules);
- ``icu`` saves the size difference of ICU's data library (``packaging/icu_data.py``);
- ``strip`` saves the size difference of the other files both bundles have;
- ``orphans`` (top-level libraries nothing left links) count under ``other``.

One build per group would also count what the analysis pulls in behind a module,
but takes ~2-10 minutes each on this shared 2-core machine; the attribution above
needs one build. Sizes are bytes of regular files (links not followed).

Usage: .venv/bin/python packaging/measure_exclusions.py [--slim dist/engage-desktop]
Prints a Markdown table for packaging/README.md; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "engage-desktop.spec"
MB = 1024 * 1024  # MiB, as du -m and du -h count


def load_exclusions() -> dict[str, dict[str, list[str]]]:
    """The spec's EXCLUSIONS literal (the spec itself only runs inside PyInstaller)."""
    text = SPEC.read_text()
    start = text.index("EXCLUSIONS = {") + len("EXCLUSIONS = ")
    body = text[start : text.index("\n}\n", start) + 2]
    return ast.literal_eval(body)


def files(folder: Path) -> dict[str, int]:
    """Path inside ``_internal`` (or the bundle) -> bytes, regular files only."""
    base = folder / "_internal"
    return {
        str(p.relative_to(base if base in p.parents else folder)): p.lstat().st_size
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def group_of(path: str, exclusions: dict[str, dict[str, list[str]]]) -> str:
    """The group whose patterns, else whose modules, name ``path``."""
    for name, spec in exclusions.items():
        if any(re.search(pattern, path) for pattern in spec["files"]):
            return name
    for name, spec in exclusions.items():
        for module in spec["modules"]:
            prefix = module.replace(".", "/")
            if path == prefix or path.startswith((prefix + "/", prefix + ".")):
                return name
    return "other"


def build_full(out: Path, groups: list[str]) -> Path:
    """The bundle with every group kept (no exclusion, no strip)."""
    env = {
        **os.environ,
        "ENGAGE_DIST_KEEP": ",".join(groups),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    where = ["--distpath", str(out / "dist"), "--workpath", str(out / "work")]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            *where,
            str(SPEC),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    return out / "dist" / "engage-desktop"


def targz_bytes(folder: Path, out: Path) -> int:
    with tarfile.open(out, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slim", default=str(ROOT / "dist" / "engage-desktop"))
    parser.add_argument("--out", help="where to build the full bundle (default: a temp folder)")
    parser.add_argument("--full", help="an existing full bundle: compare, do not build")
    args = parser.parse_args()
    slim_dir = Path(args.slim)
    exclusions = load_exclusions()
    out = Path(args.out or tempfile.mkdtemp(prefix="engage-exclusions-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    started = time.perf_counter()
    full_dir = Path(args.full) if args.full else build_full(out, [*exclusions, "strip", "icu", "orphans"])
    build_s = time.perf_counter() - started

    if not (slim_dir / "engage-desktop").is_file():
        raise SystemExit(f"no bundle at {slim_dir}; run 'make dist' first")
    slim, full = files(slim_dir), files(full_dir)
    saved = {name: 0 for name in [*exclusions, "other", "strip", "icu"]}
    for path, size in full.items():
        if path in slim:
            saved["icu" if "/libicudata.so" in path else "strip"] += size - slim[path]
        else:
            saved[group_of(path, exclusions)] += size
    added = sum(size for path, size in slim.items() if path not in full)  # desktop/ etc.
    figures = {
        "full_bytes": sum(full.values()),
        "slim_bytes": sum(slim.values()),
        "only_in_slim_bytes": added,
        "saved_bytes": saved,
        "full_targz_bytes": targz_bytes(full_dir, out / "full.tar.gz"),
        "slim_targz_bytes": targz_bytes(slim_dir, out / "slim.tar.gz"),
        "full_build_s": round(build_s, 1),
    }
    print("\n| left out | saves (MiB, unpacked) |\n|---|---:|")
    for name, size in saved.items():
        print(f"| `{name}` | {size / MB:.1f} |")
    full_mb, slim_mb = figures["full_bytes"] / MB, figures["slim_bytes"] / MB
    print(f"| **all** | **{full_mb - slim_mb:.1f}** |")
    print(
        f"\nbundle: {full_mb:.0f} MiB -> {slim_mb:.0f} MiB unpacked; .tar.gz "
        f"{figures['full_targz_bytes'] / MB:.0f} MiB -> {figures['slim_targz_bytes'] / MB:.0f} MiB"
    )
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
