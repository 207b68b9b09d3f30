"""PDFs: the printed 公示 through Debian's chromium, and tiny evidence documents.

:func:`print_to_pdf` prints an HTML file (the A4 公示 of ``assetreg disclose``) with
chromium in headless mode, offline: the page is a local file with everything inline
(styles, SVG charts, the QR code), and the browser is started with networking features
off and a throwaway profile. Without chromium it says so and makes nothing.

:func:`write_pdf` is a minimal one-page PDF writer for generated evidence documents
(ASCII text only): the example and benchmark compounds need small, valid PDFs that Fava
can serve, without pulling in a PDF library.

Bottom layer: only the standard library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for an offline, unattended print: no sandbox (it runs as the treasurer, on a local
# file), no GPU, nothing fetched in the background, no first-run or update work, and
# every request other than file:// sent to a dead proxy.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-extensions",
                  "--no-first-run", "--no-default-browser-check", "--mute-audio",
                  "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                  "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw")


def find_chromium() -> str | None:
    """The chromium to print with: ``ASSETREG_CHROMIUM``, else the first on PATH (or /usr/bin/chromium)."""
    named = os.environ.get("ASSETREG_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


class PdfError(Exception):
    """Chromium ran but made no PDF (the message says what it printed)."""


def print_to_pdf(html_file: Path, pdf_file: Path, timeout: float = 120) -> bool:
    """Print ``html_file`` to ``pdf_file`` with headless chromium; False when there is no chromium.

    The page sizes itself (``@page { size: A4 }``). Raises :class:`PdfError` when chromium
    fails or writes nothing.
    """
    exe = find_chromium()
    if exe is None:
        return False
    with tempfile.TemporaryDirectory(prefix="assetreg-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_file}",
               Path(html_file).resolve().as_uri()]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                 env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as err:
            raise PdfError(f"chromium did not finish printing in {timeout:.0f} s") from err
    if run.returncode != 0 or not pdf_file.is_file() or pdf_file.stat().st_size == 0:
        tail = (run.stderr or run.stdout or "").strip().splitlines()[-3:]
        raise PdfError(f"chromium exited {run.returncode} without a PDF: {' | '.join(tail)}")
    return True


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, lines: list[str]) -> None:
    text_ops = ["BT", "/F1 11 Tf", "50 780 Td", "14 TL"]
    for line in lines:
        ascii_line = line.encode("ascii", "replace").decode("ascii")
        text_ops.append(f"({_escape(ascii_line)}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
