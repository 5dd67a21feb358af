"""The kind of a project file comes from its bytes: each allowed kind as the real tools make it,
and look-alikes that must not pass (a renamed executable, a DOCX, half a PDF, plain prose)."""

from __future__ import annotations

import io
import zipfile

import pytest

from domain.files.sniffing import HEAD_BYTES, TAIL_BYTES, could_be, sniff
from tests import files


def judge(data: bytes) -> str | None:
    kind = sniff(data[:HEAD_BYTES], data[-TAIL_BYTES:])
    return None if kind is None else kind.name


@pytest.mark.parametrize("name", sorted(files.ALLOWED))
def test_every_allowed_kind_is_recognised_from_its_bytes(name: str) -> None:
    data = files.ALLOWED[name]()
    assert could_be(data[:HEAD_BYTES])
    assert judge(data) == name


@pytest.mark.parametrize(
    ("what", "data"),
    [
        ("a Windows executable", files.exe()),
        ("a DOCX (a ZIP without a workbook)", files.docx()),
        ("a PDF cut short (no %%EOF)", files.pdf()[:-200]),
        ("a PNG signature without its header chunk", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("prose without delimiters", b"just words here\nand more words\n"),
        ("text with NUL bytes", b"a,b\n1,\x002\n"),
        ("an ELF binary", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
        ("a gzip file", b"\x1f\x8b\x08\x00" + bytes(range(200))),
        ("empty", b""),
    ],
)
def test_look_alikes_are_refused(what: str, data: bytes) -> None:
    assert judge(data) is None, what


def test_an_executable_is_refused_from_its_first_bytes() -> None:
    assert not could_be(files.exe())
    assert not could_be(b"\x7fELF\x02\x01\x01\x00")


def test_a_large_csv_is_judged_by_its_head_and_tail() -> None:
    body = files.csv(rows=200_000)
    assert len(body) > HEAD_BYTES + TAIL_BYTES
    assert judge(body) == "CSV"
    # Binary junk after a text start is found in the tail.
    assert judge(body + b"\x00\x01\x02" * 100) is None


def test_a_csv_cut_inside_a_multibyte_character_is_still_text() -> None:
    row = "Zürich,Ålesund,Œuvre\n".encode()
    body = b"city_a,city_b,city_c\n" + row * 20_000
    for cut in range(1, 4):
        head = body[: HEAD_BYTES - cut]
        tail = body[-(TAIL_BYTES - cut) :]
        kind = sniff(head, tail)
        assert kind is not None and kind.name == "CSV"


def test_windows_1252_and_semicolon_csv() -> None:
    assert judge("nom;prix\nCafé;3\nCrème;4\n".encode("cp1252")) == "CSV"


def test_dxf_without_leading_comment_and_binary_dxf() -> None:
    assert judge(b"0\nSECTION\n2\nHEADER\n0\nENDSEC\n0\nEOF\n") == "DXF"
    assert judge(b"AutoCAD Binary DXF\r\n\x1a\x00" + bytes(range(256))) == "DXF"


def test_an_xlsx_whose_central_directory_is_beyond_the_tail_is_read_from_its_entry_headers() -> None:
    data = files.xlsx()
    # Cut the end record off: only the local headers at the start remain to tell.
    assert sniff(data[:HEAD_BYTES], b"") is not None
    assert judge(files.docx()) is None


def test_an_xlsx_with_a_large_incompressible_sheet() -> None:
    import os

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", files.CONTENT_TYPES)
        archive.writestr("xl/media/image1.bin", os.urandom(3 * TAIL_BYTES))
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert judge(buffer.getvalue()) == "XLSX"
