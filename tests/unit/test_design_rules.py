"""The pure rules of design revisions: identity, headline, failing checks, input differences."""

from __future__ import annotations

import hashlib

from domain.designs.rules import (
    changed_leaves,
    check_failure,
    compare_headlines,
    design_sha256,
    failing_checks,
    headline,
    leaves,
)


def test_the_sha256_is_over_the_canonical_json_of_module_and_input():
    expected = hashlib.sha256(b'{"input":{"a":1,"b":[2.5]},"module":"m"}').hexdigest()
    assert design_sha256("m", {"b": [2.5], "a": 1}) == expected
    assert design_sha256("m", {"a": 1, "b": [2.5]}) != design_sha256("n", {"a": 1, "b": [2.5]})


def test_leaves_are_named_by_dotted_paths_with_list_indexes():
    value = {"site": {"v": 115}, "cabinets": [{"w": 12}, {"w": 8}], "plate": None, "empty": []}
    assert leaves(value) == {"site.v": 115, "cabinets.0.w": 12, "cabinets.1.w": 8, "plate": None, "empty": []}


def test_only_changed_leaves_are_listed_and_a_missing_side_is_null():
    a = {"v": 115, "cabinets": [{"w": 12}], "flag": True}
    b = {"v": 115.0, "cabinets": [{"w": 12}, {"w": 8}], "flag": 1}
    assert changed_leaves(a, b) == [
        {"path": "flag", "a": True, "b": 1},  # JSON true is not the number 1
        {"path": "cabinets.1.w", "a": None, "b": 8},
    ]


RESULT = {
    "pass": False,
    "pole": {"designation": "Pipe4STD"},
    "geometry": {"support_count": 1},
    "foundation": {"embedment_ft": 9.5, "diameter_ft": 1.5},
    "bom": {"concrete_yd3": 0.62, "steel_weight_lb": 220.0},
    "checks": [
        {"name": "pole flexure", "ratio": 4.20586, "pass": False, "clause": "AISC 360-16 Eq. F8-1"},
        {"name": "pole shear", "ratio": 0.09, "pass": True, "clause": "AISC 360-16 Eq. G5-1"},
    ],
}


def test_the_headline_reads_the_key_results_and_the_governing_check():
    key = headline(RESULT, {"total": 1234.5})
    assert key == {
        "pass": False,
        "section": "Pipe4STD",
        "pole_count": 1,
        "governing_check": "pole flexure",
        "max_ratio": 4.20586,
        "embedment_ft": 9.5,
        "pier_diameter_ft": 1.5,
        "concrete_yd3": 0.62,
        "steel_weight_lb": 220.0,
        "total": 1234.5,
    }
    compared = compare_headlines(key, {**key, "total": 1300.0})
    assert [c["path"] for c in compared if c["changed"]] == ["total"]


def test_a_failing_check_reads_with_its_utilisation_and_clause():
    (failing,) = failing_checks(RESULT)
    assert check_failure(failing) == "pole flexure: utilisation 4.21 > 1 (AISC 360-16 Eq. F8-1)"
