"""The OpenSearch adapter's pure parts: documents to and from rows, and what a query asks for."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.search.documents import row_of, search_document
from domain.search.schemas import SearchQuery, SearchSort
from infra.search.opensearch import PREFIX_FIELDS, WORD_FIELDS, filter_clauses, search_body, text_query

ROW = {
    "project_id": uuid.UUID("00000000-0000-0000-0000-000000000001"),
    "revision": 4,
    "name": "Café Pylon",
    "account_id": "ACC-7",
    "customer": "Acme",
    "site_address": "1 Main St",
    "description": "",
    "status": "draft",
    "owner_id": uuid.UUID("00000000-0000-0000-0000-000000000002"),
    "owner_email": "eve@example.com",
    "created_at": datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC),
    "updated_at": datetime(2026, 12, 2, 11, 0, tzinfo=UTC),
    "design_revision": 2,
    "design_pass": True,
    "design_section": "Pipe10STD",
    "design_cabinets": "12x6",
    "design_pole_count": 1,
    "design_mount": "direct_burial",
    "design_wind_mph": Decimal("115.0"),
    "design_total": Decimal("15082.10"),
}


def test_a_document_is_plain_json_and_reads_back_as_the_row():
    doc = search_document(ROW)
    assert doc["design_text"] == "Pipe10STD 12x6" and doc["revision"] == 4
    assert doc["design_total"] == "15082.10"  # money as text: exact to the cent
    back = row_of(doc)
    for key in ("name", "created_at", "updated_at", "design_wind_mph", "design_total", "design_pass"):
        assert back[key] == ROW[key], key
    assert str(back["project_id"]) == str(ROW["project_id"])
    assert (
        row_of(search_document({**ROW, "design_total": None, "design_wind_mph": None}))["design_total"]
        is None
    )


def test_every_word_is_required_and_only_the_last_is_a_prefix():
    query = text_query("Café 12x6 pyl")
    assert query is not None
    first, second, last = query["bool"]["must"]
    assert first == {"multi_match": {"query": "cafe", "fields": WORD_FIELDS}}
    assert second["multi_match"]["query"] == "12x6"
    prefix, whole = last["bool"]["should"]
    assert prefix == {"multi_match": {"query": "pyl", "fields": PREFIX_FIELDS}}
    assert whole["multi_match"]["fields"] == WORD_FIELDS
    assert text_query("") is None


def test_a_query_without_words_is_a_literal_substring():
    query = text_query("%*?")
    assert query is not None
    values = {c["wildcard"][f]["value"] for c in query["bool"]["should"] for f in c["wildcard"]}
    assert values == {"*%\\*\\?*"}


def test_filters_use_the_facet_bounds_and_days_in_utc():
    filters = SearchQuery(
        status="draft", created_from=date(2026, 12, 1), price_max=Decimal(25000), poles=2
    ).filters()
    clauses = filter_clauses(filters)
    assert {"term": {"status": "draft"}} in clauses
    assert {"term": {"design_pole_count": 2}} in clauses
    assert {"range": {"created_at": {"gte": "2026-12-01T00:00:00+00:00"}}} in clauses
    assert {"range": {"design_total": {"lt": 25000.0}}} in clauses


def test_totals_are_counted_to_the_cap_and_sorts_end_on_the_id():
    body = search_body(SearchQuery(q="harbor", offset=9_990, limit=10), date(2026, 12, 8))
    assert body["track_total_hits"] == 10_001 and body["from"] == 9_990
    assert body["sort"] == [{"_score": "desc"}, {"created_at": "desc"}, {"project_id": "desc"}]
    by_price = search_body(SearchQuery(sort=SearchSort.price_low, facets=False), date(2026, 12, 8))
    assert by_price["sort"][0] == {"design_total": {"order": "asc", "missing": "_last"}}
    assert "aggs" not in by_price and by_price["query"]["bool"] == {"filter": []}
