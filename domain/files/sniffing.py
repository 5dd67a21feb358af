"""What kind of file a project file is, told from its bytes, never from its name. Pure: no I/O.

A file is looked at through its first ``HEAD_BYTES`` and last ``TAIL_BYTES`` (the whole file when
it is that small), which an upload keeps while it streams, so a 50 MB file is judged without
holding it. Allowed kinds and how each is recognised:

- PDF: ``%PDF-`` in the first 1024 bytes and ``%%EOF`` in the last 1024 (where readers look).
- PNG: the 8-byte signature followed by the IHDR chunk.
- JPEG: the SOI marker followed by another marker (``FF D8 FF``).
- DWG: ``AC10`` and two digits (AutoCAD R13 ``AC1012`` onwards).
- DXF: binary DXF's sentinel, or text whose first group (comments ``999`` aside) is ``0`` /
  ``SECTION``.
- XLSX: a ZIP whose central directory (found from the end record in the tail) lists
  ``[Content_Types].xml`` and ``xl/workbook.xml``; when the directory is beyond the tail, the
  local entry headers in the head are read instead. Other ZIPs (DOCX, a renamed archive) are not.
- CSV: text (UTF-8, or Windows-1252 when not UTF-8) without control characters other than tab and
  line breaks, at its start and its end, whose first lines have a delimiter (``,`` ``;`` tab
  ``|``) that Python's ``csv.Sniffer`` recognises.

Anything else (an executable renamed ``.pdf``, a DOCX, a single column of words) is refused.
``could_be`` answers early from the head alone, so an upload of something that cannot be any
allowed kind is stopped at its first bytes instead of being stored first.
"""

from __future__ import annotations

import csv
import re
import struct
from dataclasses import dataclass

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 128 * 1024
CSV_SAMPLE = 16 * 1024


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extension: str


PDF = FileKind("PDF", "application/pdf", ".pdf")
PNG = FileKind("PNG", "image/png", ".png")
JPEG = FileKind("JPEG", "image/jpeg", ".jpg")
DXF = FileKind("DXF", "image/vnd.dxf", ".dxf")
DWG = FileKind("DWG", "image/vnd.dwg", ".dwg")
CSV = FileKind("CSV", "text/csv", ".csv")
XLSX = FileKind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
ALLOWED: tuple[FileKind, ...] = (PDF, PNG, JPEG, DXF, DWG, CSV, XLSX)
BY_CONTENT_TYPE = {k.content_type: k for k in ALLOWED}
ALLOWED_NAMES = ", ".join(k.name for k in ALLOWED)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BINARY_DXF = b"AutoCAD Binary DXF\r\n\x1a\x00"
ZIP_LOCAL = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
ZIP_CENTRAL = b"PK\x01\x02"
_DWG = re.compile(rb"^AC10[0-9]{2}")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CSV_DELIMITERS = ",;\t|"


def could_be(head: bytes) -> bool:
    """Whether a file starting with ``head`` may turn out to be an allowed kind (False: refuse now)."""
    return (
        b"%PDF-" in head[:1024]
        or head.startswith((PNG_SIGNATURE, b"\xff\xd8\xff", ZIP_LOCAL, BINARY_DXF))
        or bool(_DWG.match(head))
        or _text(head, at_start=True) is not None
    )


def sniff(head: bytes, tail: bytes) -> FileKind | None:
    """The kind of a file whose first bytes are ``head`` and last bytes ``tail`` (for a file up to
    ``HEAD_BYTES`` long both are the whole file), or None when it is none of the allowed kinds."""
    if b"%PDF-" in head[:1024]:
        return PDF if b"%%EOF" in tail[-1024:] else None
    if head.startswith(PNG_SIGNATURE):
        return PNG if head[12:16] == b"IHDR" else None
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if _DWG.match(head):
        return DWG
    if head.startswith(BINARY_DXF):
        return DXF
    if head.startswith(ZIP_LOCAL):
        return XLSX if _is_workbook(_zip_names(head, tail)) else None
    text = _text(head, at_start=True)
    if text is None or _text(tail, at_start=False) is None:
        return None
    if _is_dxf(text):
        return DXF
    return CSV if _is_csv(text) else None


# --- text ---------------------------------------------------------------------------------------
def _text(sample: bytes, *, at_start: bool) -> str | None:
    """``sample`` as text when it is text: UTF-8 (a character cut at either end of the sample is
    allowed) or else Windows-1252; None when it does not decode or holds control characters."""
    for encoding in ("utf-8", "cp1252"):
        decoded = _decode(sample, encoding, at_start=at_start)
        if decoded is not None:
            return None if _TEXT_CONTROLS.search(decoded) else decoded
    return None


def _decode(sample: bytes, encoding: str, *, at_start: bool) -> str | None:
    if encoding != "utf-8":
        try:
            return sample.decode(encoding)
        except UnicodeDecodeError:
            return None
    # A sample cut from a longer file may end (head) or start (tail) inside a character.
    for cut_end in range(4):
        for cut_start in range(1 if at_start else 4):
            part = sample[cut_start : len(sample) - cut_end]
            try:
                return part.decode("utf-8-sig" if at_start else "utf-8")
            except UnicodeDecodeError:
                continue
    return None


def _is_dxf(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines()[:64]]
    i = 0
    while i + 1 < len(lines) and lines[i] == "999":  # comment groups
        i += 2
    while i < len(lines) and lines[i] == "":
        i += 1
    return i + 1 < len(lines) and lines[i] == "0" and lines[i + 1] == "SECTION"


def _is_csv(text: str) -> bool:
    sample = text[:CSV_SAMPLE]
    if len(text) > CSV_SAMPLE:
        sample = sample[: sample.rfind("\n") + 1] or sample  # whole lines only
    lines = [line for line in sample.splitlines() if line.strip()]
    if not lines or not any(d in lines[0] for d in CSV_DELIMITERS):
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=CSV_DELIMITERS)
    except csv.Error:
        return False
    return dialect.delimiter in CSV_DELIMITERS and dialect.delimiter in lines[0]


# --- zip ----------------------------------------------------------------------------------------
def _is_workbook(names: set[str]) -> bool:
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _zip_names(head: bytes, tail: bytes) -> set[str]:
    names = _central_directory_names(tail)
    return names if names else _local_header_names(head)


def _central_directory_names(tail: bytes) -> set[str]:
    end = tail.rfind(ZIP_END)
    if end < 0 or len(tail) - end < 22:
        return set()
    entries, size, offset = struct.unpack_from("<HII", tail, end + 10)
    start = end - size  # the directory sits just before the end record (no zip64 here)
    if start < 0 or entries == 0xFFFF or offset == 0xFFFFFFFF:
        return set()
    names: set[str] = set()
    pos = start
    for _ in range(entries):
        if tail[pos : pos + 4] != ZIP_CENTRAL or pos + 46 > end:
            return set()
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", tail, pos + 28)
        names.add(tail[pos + 46 : pos + 46 + name_len].decode("utf-8", "replace"))
        pos += 46 + name_len + extra_len + comment_len
    return names


def _local_header_names(head: bytes) -> set[str]:
    names: set[str] = set()
    pos = head.find(ZIP_LOCAL)
    while pos >= 0 and pos + 30 <= len(head):
        name_len = struct.unpack_from("<H", head, pos + 26)[0]
        names.add(head[pos + 30 : pos + 30 + name_len].decode("utf-8", "replace"))
        pos = head.find(ZIP_LOCAL, pos + 30 + name_len)
    return names
