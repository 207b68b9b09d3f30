"""A corpus of hostile .xlsx files (issue 14): each is small on disk and tries to make the
reader allocate, loop or crash. Used by tests/security/test_input_hostile_workbooks.py and
runnable on its own to measure each file's rejection time and peak memory:

    python tests/security/hostile_xlsx.py OUT_DIR          # writes the corpus, then measures
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '<Override PartName="/xl/sharedStrings.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook '
      'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="明细" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
           'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'worksheet" Target="worksheets/sheet1.xml"/>'
           '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>交易日期</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>摘要</t></is></c>'
              '<c r="C1" t="inlineStr"><is><t>收入金额</t></is></c>'
              '<c r="D1" t="inlineStr"><is><t>支出金额</t></is></c></row>')


CELL = '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-01-01</t></is></c><c r="C2"><v>1</v></c></row>'


def sheet(body: str, dimension: str = "A1:D2") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><dimension ref="{dimension}"/>'
            f"<sheetData>{HEADER_ROW}{body}</sheetData></worksheet>").encode()


def strings(items: str, count: int = 1) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{count}" uniqueCount="{count}">{items}</sst>'.encode()


def write(path: Path, parts: dict[str, bytes | Callable[[], bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in {"[Content_Types].xml": CT.encode(), "_rels/.rels": RELS.encode(),
                           "xl/workbook.xml": WB.encode(), "xl/_rels/workbook.xml.rels": WB_RELS.encode(),
                           "xl/sharedStrings.xml": strings("<si><t>x</t></si>"), **parts}.items():
            if callable(data):
                with zf.open(name, "w", force_zip64=True) as f:
                    for chunk in data():  # type: ignore[attr-defined]
                        f.write(chunk)
            else:
                zf.writestr(name, data)
    return path


def _repeat(head: bytes, unit: bytes, times: int, tail: bytes, chunk_units: int = 1 << 16) -> Callable[[], bytes]:
    def gen():  # type: ignore[no-untyped-def]
        yield head
        block = unit * chunk_units
        left = times
        while left >= chunk_units:
            yield block
            left -= chunk_units
        yield unit * left
        yield tail
    return gen  # type: ignore[return-value]


def _raw_deflate_zip(path: Path, bomb_name: str, head: bytes, unit: bytes, times: int, tail: bytes,
                     declared: int) -> Path:
    """A workbook whose part ``bomb_name`` declares ``declared`` bytes but unpacks to far more."""
    write(path, {"xl/worksheets/sheet1.xml": sheet(CELL)})
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    crc, size, out = 0, 0, [comp.compress(head)]
    crc, size = zlib.crc32(head, crc), len(head)
    block = unit * 65536
    left = times
    while left > 0:
        b = block if left >= 65536 else unit * left
        left -= min(left, 65536)
        out.append(comp.compress(b))
        crc, size = zlib.crc32(b, crc), size + len(b)
    out.append(comp.compress(tail) + comp.flush())
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    compressed = b"".join(out)
    src = path.with_suffix(".src")
    path.rename(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != bomb_name:
                zout.writestr(info, zin.read(info))
    src.unlink()
    # append the bomb entry by hand, lying about its size (CRC and compressed size are true)
    raw = bytearray(path.read_bytes())
    eocd = raw.rfind(b"PK\x05\x06")
    cd_off = int.from_bytes(raw[eocd + 16:eocd + 20], "little")
    cd_size = int.from_bytes(raw[eocd + 12:eocd + 16], "little")
    n = int.from_bytes(raw[eocd + 10:eocd + 12], "little")
    central = bytes(raw[cd_off:cd_off + cd_size])
    body = bytes(raw[:cd_off])
    name = bomb_name.encode()
    fields = crc.to_bytes(4, "little") + len(compressed).to_bytes(4, "little") \
        + declared.to_bytes(4, "little")
    local = (b"PK\x03\x04" + (20).to_bytes(2, "little") + b"\0\0" + (8).to_bytes(2, "little") + b"\0\0\0\0"
             + fields + len(name).to_bytes(2, "little") + b"\0\0" + name)
    entry_off = len(body)
    cd_entry = (b"PK\x01\x02" + (20).to_bytes(2, "little") + (20).to_bytes(2, "little") + b"\0\0"
                + (8).to_bytes(2, "little") + b"\0\0\0\0" + fields + len(name).to_bytes(2, "little")
                + b"\0\0" + b"\0\0" + b"\0\0" + b"\0\0" + b"\0\0\0\0" + entry_off.to_bytes(4, "little") + name)
    body += local + compressed
    new_cd = central + cd_entry
    end = (b"PK\x05\x06" + b"\0\0\0\0" + (n + 1).to_bytes(2, "little") + (n + 1).to_bytes(2, "little")
           + len(new_cd).to_bytes(4, "little") + len(body).to_bytes(4, "little") + b"\0\0")
    path.write_bytes(body + new_cd + end)
    return path


# Each: name → a function writing the file at the given path.
def corpus() -> dict[str, Callable[[Path], Path]]:
    ss_head = f'<?xml version="1.0"?><sst {NS}>'.encode()
    cell = CELL
    return {
        # ~1 MB on disk: a billion bytes of shared strings, declared honestly
        "sharedstrings-bomb": lambda p: write(p, {"xl/sharedStrings.xml": _repeat(
            ss_head, b"<si><t>x</t></si>", 25_000_000, b"</sst>"), "xl/worksheets/sheet1.xml": sheet(cell)}),
        # the same bomb declaring 100 bytes in the zip's directories
        "sharedstrings-bomb-lying-size": lambda p: _raw_deflate_zip(
            p, "xl/sharedStrings.xml", ss_head, b"<si><t>x</t></si>", 6_000_000, b"</sst>", 100),
        # millions of empty strings within the byte limits: each is an allocation in the reader
        "sharedstrings-count": lambda p: write(p, {"xl/sharedStrings.xml": _repeat(
            ss_head, b"<si/>", 6_000_000, b"</sst>"), "xl/worksheets/sheet1.xml": sheet(cell)}),
        "sheet-bomb": lambda p: write(p, {"xl/worksheets/sheet1.xml": _repeat(
            f'<worksheet {NS}><sheetData>'.encode(), b"<row/>" * 8, 2_000_000, b"</sheetData></worksheet>")}),
        "sheet-bomb-lying-size": lambda p: _raw_deflate_zip(
            p, "xl/worksheets/sheet1.xml", f'<worksheet {NS}><sheetData>'.encode(), b"<row/>" * 8, 2_000_000,
            b"</sheetData></worksheet>", 100),
        "ref-ZZZZZZ2": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>')}),
        "ref-ZZZZZZZZ2": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>')}),
        "ref-row-10e12": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="1000000000000"><c r="A1000000000000"><v>1</v></c></row>')}),
        "row-attr-10e12": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="1000000000000"><c><v>1</v></c></row>')}),
        "ref-XFD1048576": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "A1:XFD1048576")}),
        "dimension-lies": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(cell, "A1:XFD1048576")}),
        "negative-shared-string": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="2"><c r="A2" t="s"><v>-1</v></c></row>')}),
        "shared-string-out-of-range": lambda p: write(p, {"xl/worksheets/sheet1.xml": sheet(
            '<row r="2"><c r="A2" t="s"><v>4294967296</v></c></row>')}),
        "deep-xml-sheet": lambda p: write(p, {"xl/worksheets/sheet1.xml": (
            f'<worksheet {NS}><sheetData><row r="2"><c r="A2" t="inlineStr"><is>'.encode()
            + b"<r>" * 200_000 + b"</r>" * 200_000 + b"</is></c></row></sheetData></worksheet>")}),
        "deep-xml-strings": lambda p: write(p, {"xl/sharedStrings.xml": ss_head + b"<si>" + b"<r>" * 200_000
                                                + b"</r>" * 200_000 + b"</si></sst>",
                                                "xl/worksheets/sheet1.xml": sheet(cell)}),
        "billion-laughs": lambda p: write(p, {"xl/worksheets/sheet1.xml": (
            b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "lol">'
            + b"".join(b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1)) * 10) for i in range(1, 10))
            + b"]>" + f'<worksheet {NS}><sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>&l9;</t></is></c>'
              f'</row></sheetData></worksheet>'.encode())}),
        "huge-inline-string": lambda p: write(p, {"xl/worksheets/sheet1.xml": _repeat(
            f'<worksheet {NS}><sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>'.encode(), b"x" * 64,
            1_200_000, b"</t></is></c></row></sheetData></worksheet>")}),
        "many-rows": lambda p: write(p, {"xl/worksheets/sheet1.xml": _repeat(
            f'<worksheet {NS}><sheetData>'.encode(), b'<row><c><v>1</v></c><c><v>2</v></c></row>', 2_000_000,
            b"</sheetData></worksheet>")}),
        "huge-text-within-limits": lambda p: write(p, {"xl/worksheets/sheet1.xml": _repeat(
            f'<worksheet {NS}><sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>'.encode(), b"x" * 64,
            500_000, b"</t></is></c></row></sheetData></worksheet>")}),
        "cells-without-refs": lambda p: write(p, {"xl/worksheets/sheet1.xml": _repeat(
            f'<worksheet {NS}><sheetData><row>'.encode(), b"<c/>", 5_000_000, b"</row></sheetData></worksheet>")}),
        "rows-without-refs": lambda p: write(p, {"xl/worksheets/sheet1.xml": _repeat(
            f'<worksheet {NS}><sheetData>'.encode(), b"<row/>", 2_000_000, b"</sheetData></worksheet>")}),
        "many-parts": lambda p: write(p, {f"xl/media/x{i}.bin": b"" for i in range(20_000)}
                                      | {"xl/worksheets/sheet1.xml": sheet(cell)}),
    }


MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
from assetreg.errors import BadInput
from importers.cells import workbook
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t, c = time.perf_counter(), time.process_time()
outcome = "accepted"
try:
    with workbook(Path(sys.argv[1])) as sheets:
        for s in sheets:
            for _ in s.rows():
                pass
except BadInput as exc:
    outcome = "BadInput: " + exc.problem[:160]
except BaseException as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:160]}"
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "peak_mib": peak / 1024, "import_mib": base / 1024, "outcome": outcome}))
"""


def measure(path: Path, timeout: float = 300) -> dict[str, object]:
    """Read ``path`` in a fresh interpreter: seconds spent reading, peak RSS (MiB), outcome."""
    try:
        r = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_mib": None, "outcome": "timeout"}
    if r.returncode != 0 or not r.stdout.strip():
        return {"seconds": None, "peak_mib": None, "outcome": f"crashed rc={r.returncode}: {r.stderr[-300:]}"}
    result: dict[str, object] = json.loads(r.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, make in corpus().items():
        path = make(out / f"{name}.xlsx")
        m = measure(path)
        cpu = m.get("cpu_seconds")
        print(f"{name:32} {path.stat().st_size:>10,} B  {m['seconds'] if m['seconds'] is None else round(m['seconds'], 3)!s:>8} s  "
              f"cpu {cpu if cpu is None else round(cpu, 3)!s:>7} s  "
              f"{m['peak_mib'] if m['peak_mib'] is None else round(m['peak_mib'])!s:>6} MiB  {m['outcome']}", flush=True)
