"""ETag and change-set rules, as specifications."""

from __future__ import annotations

from domain.projects.revisions import diff, is_wildcard, make_etag, matches, parse_etags, quote


def test_etag_is_16_hex_and_changes_with_every_revision():
    tags = {make_etag("p1", r) for r in range(1, 200)}
    assert len(tags) == 199
    assert all(len(t) == 16 and int(t, 16) >= 0 for t in tags)
    assert make_etag("p1", 3) == make_etag("p1", 3)
    assert make_etag("p1", 3) != make_etag("p2", 3)


def test_if_match_parsing_handles_quotes_lists_weak_and_star():
    assert parse_etags(None) is None
    assert parse_etags('"abc", W/"def" ,', strong=False) == ["abc", "def"]
    assert parse_etags('"abc", W/"def" ,') == ["abc"]
    assert matches("*", "anything")
    assert matches(quote("abc"), "abc")
    assert matches('"x", "abc"', "abc")
    assert not matches('"abd"', "abc")
    assert not matches("", "abc")


def test_if_match_compares_strongly_and_if_none_match_weakly():
    assert not matches('W/"abc"', "abc")
    assert matches('W/"abc"', "abc", strong=False)


def test_diff_lists_only_changed_fields_with_before_and_after():
    before = {"name": "A", "customer": "C", "description": ""}
    after = {"name": "B", "customer": "C", "description": "new"}
    assert diff(before, after) == {
        "description": {"before": "", "after": "new"},
        "name": {"before": "A", "after": "B"},
    }
    assert diff(before, {"name": "A"}) == {}


def test_a_wildcard_is_recognised_wherever_it_stands_in_the_list():
    assert is_wildcard("*") and is_wildcard(' "abc", * ')
    assert not is_wildcard(None) and not is_wildcard('"abc"') and not is_wildcard("")
