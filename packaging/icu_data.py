"""A smaller ICU data library for the bundle: English and the locale-free data only.

QtCore links ICU (``libicui18n``, ``libicuuc``, ``libicudata``); the data library is
31 MiB, one data package (ICU's "common data" format) behind the symbol
``icudt73_dat``. Qt 6 formats dates and numbers from its own CLDR tables, shapes text
with HarfBuzz and breaks lines with its own Unicode tables; it asks ICU for collation
(``QCollator``), case mapping, codecs beyond UTF-8/16/32 and Latin-1, and time-zone
names. The app's text is English, so the bundle keeps:

- every locale-free item: normalization, properties, character names, emoji, the
  codec alias table, time zones (``zoneinfo64``, ``metaZones``, ``timezoneTypes``,
  ``windowsZones``), plural and likely-subtag rules, the root collation
  (``coll/ucadata.icu``) and the break rules (``brkitr/*.brk``);
- ``root``, ``pool`` (shared strings), ``res_index`` and English (``en``, ``en_*``)
  in every tree (locales, collation, currencies, languages, regions, units, zones,
  number spelling, break iteration);
- the single-byte codec tables (under 30 KB each: the ISO-8859 and Windows code
  pages).

It leaves out the other ~860 locales, the transliterators, the dictionaries for word
breaks in Chinese, Japanese, Thai, Khmer, Lao and Burmese, and the large multi-byte
codec tables (EBCDIC and East Asian). ICU falls back to ``root`` for a locale that is
not there (``U_USING_DEFAULT_WARNING``), and reports a codec it lacks as not found.

The new package is written in the same format and linked into a library with the
same name and symbol (``gcc`` with ``.incbin``); ``check_library`` opens it through
ICU itself (``ctypes``), which ``make dist-check`` runs on the bundle.

Usage (the spec calls :func:`trim_library`; by hand to look at the figures):
    python packaging/icu_data.py PATH/libicudata.so.73 [--out DIR]
"""

from __future__ import annotations

import argparse
import ctypes
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# A locale's resource file: "en.res", "en_GB.res", "zh_Hant_TW.res", "sr_Latn.res".
LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
ENGLISH = re.compile(r"^(root|pool|res_index|en(_[A-Za-z0-9]+)*)\.res$")
SMALL_CODEC = 30 * 1024  # single-byte code pages are 1-10 KB; multi-byte ones 100+ KB
DROPPED_TREES = ("translit",)  # transliterators: nothing in Qt opens one
PAD = b"\xaa"  # what ICU's own pkgdata fills alignment gaps with


def keep(name: str, size: int) -> bool:
    """Whether the bundle keeps the package item ``name`` (``icudt73l/coll/en.res``)."""
    parts = name.split("/")[1:]  # without the package name
    leaf = parts[-1]
    if parts[0] in DROPPED_TREES:
        return False
    if leaf.endswith(".dict"):  # word-break dictionaries of scripts without spaces
        return False
    if leaf.endswith(".cnv"):
        return size < SMALL_CODEC
    if LOCALE_RES.match(leaf) and leaf != "res_index.res":
        return bool(ENGLISH.match(leaf))
    return True


def read_package(data: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, bytes) items of an ICU common-data package."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", data, 0)
    if (magic1, magic2) != (0xDA, 0x27) or data[12:16] != b"CmnD":
        raise ValueError("not an ICU common-data package (little-endian)")
    count = struct.unpack_from("<I", data, header_size)[0]
    entries = [struct.unpack_from("<II", data, header_size + 4 + 8 * i) for i in range(count)]
    offsets = [header_size + data_offset for _, data_offset in entries] + [len(data)]
    items = []
    for i, (name_offset, _) in enumerate(entries):
        start = header_size + name_offset
        name = data[start : data.index(b"\0", start)].decode("ascii")
        items.append((name, data[offsets[i] : offsets[i + 1]]))
    return data[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common-data package of ``items`` (sorted by name, as ICU searches it)."""
    items = sorted(items, key=lambda item: item[0].encode("ascii"))
    toc = 4 + 8 * len(items)
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    name_offsets, at = [], toc
    for name, _ in items:
        name_offsets.append(at)
        at += len(name) + 1
    body, data_offsets = bytearray(), []
    first = toc + len(names)
    first += -(len(header) + first) % 16  # items start 16-byte aligned
    for _, blob in items:
        body += PAD * (-(len(header) + first + len(body)) % 16)
        data_offsets.append(first + len(body))
        body += blob
    out = bytearray(header)
    out += struct.pack("<I", len(items))
    for name_offset, data_offset in zip(name_offsets, data_offsets, strict=True):
        out += struct.pack("<II", name_offset, data_offset)
    out += names
    out += PAD * (first - toc - len(names))
    return bytes(out + body)


def package_of(library: Path) -> tuple[str, bytes]:
    """The data symbol's name and bytes in ``libicudataNN.so`` (read with ``readelf``)."""
    symbols = subprocess.run(
        ["readelf", "-sW", "--dyn-syms", str(library)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(
        r"\s([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+(\d+)\s+(icudt\d+_dat)",
        symbols,
    )
    if not match:
        raise ValueError(f"{library.name} has no icudtNN_dat symbol")
    address, size, section, symbol = match.groups()
    sections = subprocess.run(
        ["readelf", "-SW", str(library)], capture_output=True, text=True, check=True
    ).stdout
    row = re.search(rf"\[\s*{section}\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)", sections)
    if not row:
        raise ValueError(f"{library.name}: section {section} not found")
    file_offset = int(address, 16) - int(row.group(1), 16) + int(row.group(2), 16)
    length = int(size, 0)
    return symbol, library.read_bytes()[file_offset : file_offset + length]


def link_library(package: bytes, symbol: str, soname: str, out: Path) -> None:
    """A shared library exporting ``package`` as ``symbol``, as ICU's own is built."""
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "package.dat"
        dat.write_bytes(package)
        asm = Path(tmp) / "package.S"
        asm.write_text(
            "\t.section .rodata\n\t.balign 16\n"
            f"\t.globl {symbol}\n\t.type {symbol}, @object\n{symbol}:\n"
            f'\t.incbin "{dat}"\n\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n'
        )
        subprocess.run(
            ["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(out), str(asm)],
            check=True,
        )


def trim_library(library: Path) -> tuple[int, int]:
    """Replace ``library`` by one with the kept items; returns (bytes before, after)."""
    before = library.stat().st_size
    symbol, package = package_of(library)
    header, items = read_package(package)
    kept = [(name, blob) for name, blob in items if keep(name, len(blob))]
    trimmed = write_package(header, kept)
    if read_package(trimmed)[1] != sorted(kept, key=lambda i: i[0].encode("ascii")):
        raise ValueError("the trimmed package does not read back")
    out = library.with_name(library.name + ".trimmed")
    link_library(trimmed, symbol, library.name, out)
    out.replace(library)
    return before, library.stat().st_size


def check_library(lib_dir: Path) -> list[str]:
    """Open collation, a codec and a time-zone name through the ICU in ``lib_dir``.

    Returns what failed (empty when all worked). Loads the three libraries from
    ``lib_dir`` with ctypes (in the calling process: run it in a process of its own).
    """
    uc_path = next(lib_dir.glob("libicuuc.so.*"))
    version = uc_path.name.rsplit(".", 1)[1]
    # Loaded first by its full path, so no other ICU of the same name stands in for it.
    ctypes.CDLL(str(next(lib_dir.glob("libicudata.so.*"))))
    uc = ctypes.CDLL(str(uc_path))
    i18n = ctypes.CDLL(str(next(lib_dir.glob("libicui18n.so.*"))))
    failures = []

    def call(lib, name, *args):
        status = ctypes.c_int(0)
        func = getattr(lib, f"{name}_{version}")
        func.restype = ctypes.c_void_p
        result = func(*args, ctypes.byref(status))
        if status.value > 0 or not result:  # > 0: a failure; < 0: a warning
            failures.append(f"{name}{args}: ICU error {status.value}")
        return result

    collator = call(i18n, "ucol_open", b"en_US")
    if collator:
        getattr(i18n, f"ucol_close_{version}")(ctypes.c_void_p(collator))
    for codec in (b"windows-1252", b"ISO-8859-2"):
        converter = call(uc, "ucnv_open", codec)
        if converter:
            getattr(uc, f"ucnv_close_{version}")(ctypes.c_void_p(converter))
    zone = (ctypes.c_uint16 * 32)(*map(ord, "Europe/Paris"))
    calendar = call(i18n, "ucal_open", zone, ctypes.c_int32(-1), b"en_US", ctypes.c_int(0))
    if calendar:
        name = (ctypes.c_uint16 * 64)()
        status = ctypes.c_int(0)
        length = getattr(i18n, f"ucal_getTimeZoneDisplayName_{version}")(
            ctypes.c_void_p(calendar), 0, b"en_US", name, 64, ctypes.byref(status)
        )
        text = "".join(map(chr, name[: max(length, 0)]))
        if status.value > 0 or "European" not in text:  # "Central European Standard Time"
            failures.append(f"time-zone name of Europe/Paris: {text!r} (ICU error {status.value})")
        getattr(i18n, f"ucal_close_{version}")(ctypes.c_void_p(calendar))
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--out", type=Path, help="folder for the trimmed copy (default: a temp)")
    args = parser.parse_args()
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="icu-trim-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for lib in args.library.parent.glob("libicu*.so.*"):
        shutil.copy2(lib, out_dir / lib.name)
    before, after = trim_library(out_dir / args.library.name)
    failures = check_library(out_dir)
    print(f"{args.library.name}: {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB in {out_dir}")
    for failure in failures:
        print("FAILED", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
