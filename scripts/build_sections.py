"""Regenerate ``domain/engineering/data/sections.csv`` from the AISC Shapes Database v16.0.

Usage::

    python scripts/build_sections.py PATH/TO/aisc-shapes-database-v16.csv [OUT.csv]

Why a script and not a hand-typed table: the engine must use the AISC published properties
(computed with the design wall ``tdes = 0.93 tnom`` for ERW pipe and A500 HSS), and a reviewer must
be able to see exactly how the shipped catalogue was derived and regenerate it byte for byte
(``tests/unit/engineering/test_section_catalogue.py`` does so whenever the database is present).

Rules:
- the file is UTF-8 with a BOM, uses an en dash for "no value", and repeats every column name in
  a metric half to the right: only the FIRST occurrence of each column name is used (US units);
- kept: ``Type == PIPE`` (Std, XS, XXS), round HSS (``Type == HSS`` with an ``OD``), and square
  HSS (``Type == HSS`` with ``Ht == B``); rectangular HSS and every other shape are dropped;
- numbers are copied as the database prints them (no re-formatting), so the catalogue is the
  database, only narrower; an empty cell means the database has no value (e.g. ``C`` for pipe,
  which the engine then derives as 2 J / OD, see ``domain/engineering/sections.py``).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

#: Output columns: (name in sections.csv, name in the AISC database or a rule).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("label", "AISC_Manual_Label"),
    ("family", "<family>"),
    ("type", "Type"),
    ("od_in", "<OD or B>"),
    ("tnom_in", "tnom"),
    ("tdes_in", "tdes"),
    ("w_plf", "W"),
    ("a_in2", "A"),
    ("ix_in4", "Ix"),
    ("zx_in3", "Zx"),
    ("sx_in3", "Sx"),
    ("rx_in", "rx"),
    ("j_in4", "J"),
    ("c_in3", "C"),
    ("slenderness", "<D/t or b/tdes>"),
    ("h_t", "h/tdes"),
)

EMPTY = "–"  # the database's "no value" mark (EN DASH)


def _family(row: dict[str, str]) -> str | None:
    """Classify one database row into the engine's families, or None to drop it."""
    if row["Type"] == "PIPE":
        return "pipe"
    if row["Type"] != "HSS":
        return None
    if row["OD"] != EMPTY:
        return "round_hss"
    if row["Ht"] != EMPTY and row["Ht"] == row["B"]:
        return "square_hss"
    return None


def _clean(value: str) -> str:
    value = value.strip()
    return "" if value == EMPTY else value


def build(source: Path) -> str:
    """Return the catalogue CSV text (LF line ends) derived from the AISC database at ``source``."""
    text = source.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    first: dict[str, int] = {}
    for index, name in enumerate(header):
        first.setdefault(name, index)  # metric duplicates to the right are ignored
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for raw in reader:
        if not raw or not raw[0].strip():
            continue
        row = {name: raw[index] for name, index in first.items()}
        family = _family(row)
        if family is None:
            continue
        values: list[str] = []
        for name, source_name in COLUMNS:
            if name == "family":
                values.append(family)
            elif name == "od_in":
                values.append(_clean(row["OD"] if family != "square_hss" else row["B"]))
            elif name == "slenderness":
                values.append(_clean(row["D/t"] if family != "square_hss" else row["b/tdes"]))
            else:
                values.append(_clean(row[source_name]))
        writer.writerow(values)
    return out.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    target = (
        Path(argv[2])
        if len(argv) == 3
        else Path(__file__).resolve().parents[1] / "domain" / "engineering" / "data" / "sections.csv"
    )
    target.write_text(build(Path(argv[1])), encoding="utf-8", newline="")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
