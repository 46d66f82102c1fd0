"""Smoke test of the built bundle (``make dist-check``): does it still do every job?

Drives ``dist/engage-desktop/engage-desktop`` as a user would, in a throw-away home
(HOME and the XDG folders point into a temporary folder, so nothing of the machine's
own settings or demo is used or touched), with the offscreen Qt platform:

1. ``--version`` prints the version of the checkout.
2. ``demo`` builds a small demo, scored (the sentiment pool runs frozen).
3. Sixteen feeds on a loopback HTTP server, added from OPML, fetched (enough feeds
   for the parse worker processes), then ``score`` and ``info``.
4. ``--screenshot`` of every view: each PNG exists, has the asked size, and is not
   blank (a flat image compresses to almost nothing); and one on a real X11 window
   under Xvfb (the xcb platform plugin and its libraries), when xvfb-run exists.
5. ``report`` to PDF and HTML.
6. ``export workspace`` to a shared copy, opened by the window: it opens on its
   dashboard by itself (the same picture as ``--view dashboard``) and read-only
   (the file is unchanged).
7. Opening a path that does not exist fails with one clear line and creates no demo.
8. The bundle's trimmed ICU data still gives Qt collation, the single-byte codecs
   and time-zone names (``packaging/icu_data.py``, through ctypes).

Uses the standard library only, so any Python 3.11 runs it. Exit 0 when every step
passed; each step prints ``ok``, ``SKIPPED`` (with the reason) or ``FAILED``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ("feeds", "inbox", "composer", "dashboard")
FEEDS = 16  # listen/fetch.py PROCESS_MIN_FEEDS: parse in worker processes
ITEMS_PER_FEED = 5
SIZE = (1280, 800)


class Failed(Exception):
    """A step did not do its job."""


def version_of_checkout() -> str:
    """``__version__`` from the package source, without importing it."""
    for line in (ROOT / "engage_desktop" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise Failed("no __version__ in engage_desktop/__init__.py")


def rss(feed: int) -> bytes:
    """A small RSS feed whose items talk about the demo brand, good and bad."""
    moods = ("love the new release", "terrible support, still waiting", "works fine")
    items = "".join(
        f"<item><title>Nimbus feed {feed} post {i}</title>"
        f"<link>http://127.0.0.1/feed{feed}/{i}</link><guid>smoke-{feed}-{i}</guid>"
        f"<description>Nimbus smoke test: {moods[i % len(moods)]} (feed {feed})</description>"
        f"<pubDate>Mon, 0{1 + i % 9} Dec 2025 10:00:00 +0000</pubDate></item>"
        for i in range(ITEMS_PER_FEED)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>Smoke feed {feed}</title><link>http://127.0.0.1/</link>"
        f"<description>smoke</description>{items}</channel></rss>"
    ).encode()


class FeedHandler(http.server.BaseHTTPRequestHandler):
    """Serves /feedN.xml for N in range(FEEDS)."""

    def do_GET(self) -> None:
        name = self.path.strip("/")
        if name.startswith("feed") and name.endswith(".xml"):
            body = rss(int(name[4:-4]))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)

    def log_message(self, *args) -> None:
        """Quiet: the smoke output is the steps."""


def png_facts(path: Path) -> tuple[int, int, float]:
    """Width, height and the share of distinct rows (0 for a flat picture) of a PNG."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failed(f"{path.name} is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    raw, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            raw += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(raw)
    stride = len(pixels) // height
    rows = {pixels[r * stride + 1 : (r + 1) * stride] for r in range(0, height, 4)}
    return width, height, len(rows) / (height / 4)


class Bundle:
    """Runs the bundle in a private home; each call checks the exit status."""

    def __init__(self, exe: Path, home: Path) -> None:
        self.exe = exe
        self.env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.env.pop("ENGAGE_DESKTOP_WORKSPACE", None)

    def run(
        self, *args: str, expect: int = 0, timeout: float = 300, on_x11: bool = False
    ) -> subprocess.CompletedProcess:
        """Run the bundle; ``on_x11``: a real window on a virtual X server (xvfb-run)."""
        env, cmd = self.env, [str(self.exe), *args]
        if on_x11:
            env = {k: v for k, v in self.env.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
            cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", *cmd]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != expect:
            raise Failed(
                f"'{' '.join(args)}' exited {proc.returncode} (expected {expect}): "
                f"{(proc.stderr or proc.stdout).strip()[-600:]}"
            )
        if "Traceback" in proc.stderr:
            raise Failed(f"'{' '.join(args)}' printed a traceback: {proc.stderr[-600:]}")
        return proc


def screenshot(bundle: Bundle, out: Path, *args: str, on_x11: bool = False) -> Path:
    """Render the window to ``out`` and check the picture."""
    bundle.run(*args, "--screenshot", str(out), "--size", f"{SIZE[0]}x{SIZE[1]}", on_x11=on_x11)
    width, height, variety = png_facts(out)
    if (width, height) != SIZE:
        raise Failed(f"{out.name} is {width}x{height}, expected {SIZE[0]}x{SIZE[1]}")
    if variety < 0.05:
        raise Failed(f"{out.name} is blank")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", default=str(ROOT / "dist" / "engage-desktop"))
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    args = parser.parse_args()
    exe = Path(args.bundle) / "engage-desktop"
    if not exe.is_file():
        print(f"dist-check: no bundle at {exe}; run 'make dist' first", file=sys.stderr)
        return 1
    tmp = tempfile.TemporaryDirectory(prefix="engage-dist-check-")
    work = Path(args.keep) if args.keep else Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    bundle = Bundle(exe, work / "home")
    ws = work / "smoke.engage"
    results: list[tuple[str, str]] = []

    def step(name: str, func) -> None:
        started = time.perf_counter()
        try:
            note = func()
        except (Failed, subprocess.TimeoutExpired) as exc:
            results.append((name, "FAILED"))
            print(f"FAILED   {name}: {exc}", flush=True)
            return
        seconds = time.perf_counter() - started
        if isinstance(note, str) and note.startswith("SKIPPED"):
            results.append((name, "SKIPPED"))
            print(f"SKIPPED  {name}: {note[len('SKIPPED: ') :]}", flush=True)
        else:
            results.append((name, "ok"))
            print(f"ok       {name} ({seconds:.1f} s){': ' + note if note else ''}", flush=True)

    def check_version() -> str:
        line = bundle.run("--version").stdout.strip()
        if line != f"engage-desktop {version_of_checkout()}":
            raise Failed(f"--version printed {line!r}")
        return line

    def check_demo() -> str:
        ws.unlink(missing_ok=True)
        return bundle.run("demo", str(ws), "--mentions", "2000").stdout.strip().splitlines()[-1]

    def check_fetch_score() -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            port = server.server_address[1]
            outlines = "".join(
                f'<outline type="rss" text="Smoke {n}" xmlUrl="http://127.0.0.1:{port}/feed{n}.xml"/>'
                for n in range(FEEDS)
            )
            opml = work / "smoke.opml"
            opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
            bundle.run("sources", "import-opml", str(opml), "-w", str(ws))
            fetched = bundle.run("fetch", "--force", "--quiet", "-w", str(ws)).stdout
        finally:
            server.shutdown()
        if "failed:" in fetched:
            raise Failed(f"some feeds failed: {fetched.strip()}")
        scored = bundle.run("score", "-w", str(ws)).stdout.strip()
        info = bundle.run("info", "-w", str(ws)).stdout
        listed = bundle.run("inbox", "list", "-w", str(ws), "--search", "smoke", "--count")
        arrived = int(listed.stdout.split()[0])
        if arrived != FEEDS * ITEMS_PER_FEED:
            raise Failed(f"{arrived} fetched mentions found, expected {FEEDS * ITEMS_PER_FEED}")
        negative = bundle.run(
            *("inbox", "list", "-w", str(ws), "--search", "smoke"),
            "--sentiment",
            "negative",
            "--count",
        )
        if int(negative.stdout.split()[0]) == 0:  # a third of the items complain
            raise Failed("no fetched mention was scored negative")
        return (
            f"{fetched.strip().splitlines()[-1]}; {scored.splitlines()[-1]}; info {len(info)} chars"
        )

    def check_views() -> str:
        for view in VIEWS:
            screenshot(bundle, work / f"view-{view}.png", str(ws), "--view", view)
        return ", ".join(f"view-{v}.png" for v in VIEWS)

    def check_x11() -> str:
        if not shutil.which("xvfb-run"):
            return "SKIPPED: xvfb-run is not installed (Debian: xvfb)"
        screenshot(bundle, work / "x11-dashboard.png", str(ws), "--view", "dashboard", on_x11=True)
        return "the xcb platform plugin and its libraries load"

    def check_report() -> str:
        pdf, html = work / "report.pdf", work / "report.html"
        bundle.run("report", str(pdf), "-w", str(ws))
        bundle.run("report", str(html), "-w", str(ws))
        if pdf.read_bytes()[:5] != b"%PDF-":
            raise Failed("report.pdf is not a PDF")
        if "<svg" not in html.read_text(encoding="utf-8"):
            raise Failed("report.html has no chart")
        return f"report.pdf {pdf.stat().st_size // 1024} KB, report.html"

    def check_shared_copy() -> str:
        shared = work / "shared.engage"
        bundle.run("export", "workspace", str(shared), "-w", str(ws))
        before = hashlib.sha256(shared.read_bytes()).hexdigest()
        opened = screenshot(bundle, work / "shared-opened.png", str(shared))
        asked = screenshot(bundle, work / "shared-asked.png", str(shared), "--view", "dashboard")
        if hashlib.sha256(shared.read_bytes()).hexdigest() != before:
            raise Failed("opening the shared copy changed it (not read-only)")
        if png_facts(opened) != png_facts(asked):
            raise Failed("the shared copy did not open on its dashboard")
        return "opened read-only on its dashboard"

    def check_missing_path() -> str:
        missing = work / "no-such-file.engage"
        proc = bundle.run(str(missing), "--screenshot", str(work / "x.png"), expect=1)
        lines = proc.stderr.strip().splitlines()
        if len(lines) != 1 or "does not exist" not in lines[0]:
            raise Failed(f"expected one clear line, got: {proc.stderr!r}")
        if list((work / "home").rglob("demo.engage")):
            raise Failed("a demo workspace was created")
        return lines[0]

    def check_icu() -> str:
        lib_dir = exe.parent / "_internal" / "PySide6" / "Qt" / "lib"
        data = next(lib_dir.glob("libicudata.so.*"), None)
        if data is None:
            return "SKIPPED: this bundle has no ICU of its own"
        sys.path.insert(0, str(ROOT / "packaging"))
        from icu_data import check_library  # standard library only, like this script

        failures = check_library(lib_dir)
        if failures:
            raise Failed("; ".join(failures))
        return f"{data.name} {data.stat().st_size / 2**20:.1f} MiB: collation, codecs, zone names"

    step("--version", check_version)
    step("demo (2,000 mentions, scored)", check_demo)
    step(f"fetch {FEEDS} loopback feeds, score, info", check_fetch_score)
    step("--screenshot of every view", check_views)
    step("a real window on X11 (Xvfb)", check_x11)
    step("report", check_report)
    step("shared copy opens read-only on its dashboard", check_shared_copy)
    step("a missing path gets a clear message, not the demo", check_missing_path)
    step("ICU data (Qt's collation, codecs, time-zone names)", check_icu)
    failed = [name for name, state in results if state == "FAILED"]
    skipped = [name for name, state in results if state == "SKIPPED"]
    print(
        f"dist-check: {len(results) - len(failed) - len(skipped)} passed, {len(failed)} failed"
        + (f", {len(skipped)} skipped" if skipped else "")
        + (f"; files kept in {work}" if args.keep else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
