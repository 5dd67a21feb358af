"""Sample files of every allowed kind, made by the real tools where one is installed (reportlab for
PDF, Pillow for PNG and JPEG, zipfile for the XLSX package), and disguised ones, for the file tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from reportlab.pdfgen import canvas


def pdf(text: str = "Site survey") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)  # the same bytes every time
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _image(fmt: str, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), color).save(buffer, format=fmt)
    return buffer.getvalue()


def png(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return _image("PNG", color)


def jpeg(color: tuple[int, int, int] = (30, 30, 200)) -> bytes:
    return _image("JPEG", color)


def dxf() -> bytes:
    return (
        b"999\nmade by a test\n  0\nSECTION\n  2\nHEADER\n  9\n$ACADVER\n  1\nAC1015\n  0\nENDSEC\n"
        b"  0\nSECTION\n  2\nENTITIES\n  0\nLINE\n  8\n0\n 10\n0.0\n 20\n0.0\n 11\n10.0\n 21\n5.0\n"
        b"  0\nENDSEC\n  0\nEOF\n"
    )


def dwg() -> bytes:
    return b"AC1032" + b"\x00" * 5 + b"\x01" + bytes(range(256)) * 4


def csv(rows: int = 5) -> bytes:
    lines = ["pole,height_ft,section"] + [f"P{i},{10 + i},HSS{6 + i}x{6 + i}x3/8" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def xlsx() -> bytes:
    """The parts of a minimal workbook as Excel packages them."""
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.xml": "<workbook><sheets><sheet name='Poles' sheetId='1'/></sheets></workbook>",
            "xl/worksheets/sheet1.xml": "<worksheet><sheetData/></worksheet>",
        }
    )


def docx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": "<document/>"})


def exe() -> bytes:
    """The start of a Windows executable (MZ header, DOS stub)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 44
        + b"\x80\x00\x00\x00"
        + b"This program cannot be run in DOS mode.\r\r\n$"
        + b"\x00" * 400
    )


ALLOWED: dict[str, Callable[[], bytes]] = {
    "PDF": pdf,
    "PNG": png,
    "JPEG": jpeg,
    "DXF": dxf,
    "DWG": dwg,
    "CSV": csv,
    "XLSX": xlsx,
}


BOUNDARY = "signx-test-boundary-7MA4YWxkTrZu0gW"


def part(filename: bytes | str | None, data: bytes, *, field: str = "file", content_type: str = "") -> bytes:
    """One multipart part, the file name written as given (raw bytes allowed: what a hand-made
    client could send, which a browser or httpx would have escaped)."""
    disposition = f'form-data; name="{field}"'.encode()
    if filename is not None:
        raw = filename.encode() if isinstance(filename, str) else filename
        disposition += b'; filename="' + raw + b'"'
    head = b"Content-Disposition: " + disposition + b"\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n".encode()
    return f"--{BOUNDARY}\r\n".encode() + head + b"\r\n" + data + b"\r\n"


def form(*parts: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body of ``parts`` and its Content-Type header."""
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def csv_of_size(size: int) -> bytes:
    """A valid CSV of exactly ``size`` bytes (at least 40)."""
    header = b"pole,height_ft,section\n"
    row = b"P1,12,HSS6x6x3/8\n"
    body = header + row * ((size - len(header)) // len(row))
    return body[:-1] + b"7" * (size - len(body)) + b"\n"
