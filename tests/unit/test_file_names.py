"""File names: paths cut to their last part, control characters refused, and a download header that
stays one well-formed header whatever the name holds."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.files.names import content_disposition, file_name


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("survey.pdf", "survey.pdf"),
        ("../../x.pdf", "x.pdf"),
        ("C:\\Users\\me\\Desktop\\elevation.dwg", "elevation.dwg"),
        ("/etc/passwd", "passwd"),
        ("  spaced name.csv  ", "spaced name.csv"),
        ("Cafe\u0301 plan.pdf", "Café plan.pdf"),  # decomposed (macOS) to composed
        (".hidden.csv", ".hidden.csv"),
    ],
)
def test_names_are_cut_to_their_last_part(raw: str, stored: str) -> None:
    assert file_name(raw) == stored


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "no name"),
        (None, "no name"),
        ("   ", "no name"),
        ("../..", "folder path"),
        ("x/", "folder path"),
        ("a\nb.pdf", "control characters"),
        ("a\x00b.pdf", "control characters"),
        ("tab\there.csv", "control characters"),
        ("a\x85b.pdf", "control characters"),  # C1 next line
        ("invoice\u202efdp.exe", "control characters"),  # right-to-left override
        ("x" * 256, "longer than 255"),
    ],
)
def test_bad_names_are_refused_naming_the_field(raw: str | None, why: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        file_name(raw)
    assert refused.value.fields[0]["field"] == "file"
    assert why in refused.value.message


def test_the_download_header_carries_the_exact_name_and_a_safe_stand_in() -> None:
    header = content_disposition('Plan "A"; v2 – Zürich.pdf')
    assert header == (
        'attachment; filename="Plan _A__ v2 _ Z_rich.pdf"; '
        "filename*=UTF-8''Plan%20%22A%22%3B%20v2%20%E2%80%93%20Z%C3%BCrich.pdf"
    )
    assert "\n" not in content_disposition(file_name("ok.pdf"))
