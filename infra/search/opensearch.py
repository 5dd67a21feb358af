"""The ``SearchIndex`` on OpenSearch (``opensearch-py``'s async client over aiohttp).

The index: explicit mappings (``dynamic: strict``) and analysers that read text as the PostgreSQL
document does: words split at anything not a letter or digit ("ACC-007" is "acc" and "007"), lower
case, accents folded (ASCII folding: "Café" is "cafe"), and an edge n-gram sub-field of each text
field for the last, still-typed word. Searches and updates use an alias (``SIGNX_OPENSEARCH_INDEX``);
the indexes behind it are versioned (``<alias>-v<mapping>-<time>``), so ``rebuild`` fills a new one
while the old one answers and then swaps the alias in one atomic ``_aliases`` call.

A query means what it means on PostgreSQL (``domain.search.matching``): every word required, the
last one as a prefix, the filters and sorts of ``SearchQuery``, totals exact up to 10,000 and
"10,000+" beyond, facets with the same buckets; when the words match nothing the typo fallback runs
(fuzzy words, or a literal substring of name, customer and account). Hits are built from the
documents by the same pure code as PostgreSQL's (``domain.search.results``), so highlights read the
same. Differences, by design: relevance ranks every match (PostgreSQL ranks the newest 10,001),
facet counts are over every match (PostgreSQL's over the first 10,001), and the typo fallback is
fuzzier (edit distance rather than trigram similarity).

Nothing here falls back or retries: failures raise, and ``infra.search.fallback`` decides.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from contextlib import suppress
from datetime import date
from typing import Any

from opensearchpy import AsyncOpenSearch, NotFoundError, RequestError

from domain.orm import utcnow
from domain.search.documents import row_of
from domain.search.facets import PRICE_BUCKETS, WIND_BUCKETS, RangeBucket, date_buckets
from domain.search.matching import start_of_day
from domain.search.repository import TOP
from domain.search.results import result
from domain.search.schemas import (
    SEARCH_CAP,
    SEARCH_MAX_LIMIT,
    SearchFilters,
    SearchQuery,
    SearchResult,
    SearchSort,
)
from domain.search.text import fold, words

log = logging.getLogger(__name__)

# Bump when the mappings or analysers change: a reindex then builds an index of the new version.
MAPPING_VERSION = 1
REBUILD_TIMEOUT_SECONDS = 120.0  # one bulk request of a reindex (500 documents)

_TEXT = {"type": "text", "analyzer": "signx_text"}
_PREFIX = {"type": "text", "analyzer": "signx_prefix", "search_analyzer": "signx_text"}
_FOLDED = {"type": "keyword", "normalizer": "signx_folded"}

SETTINGS: dict[str, Any] = {
    "index": {
        # A page may start at row 10,000 (SearchQuery.offset's bound) and hold up to 100 rows.
        "max_result_window": SEARCH_CAP + SEARCH_MAX_LIMIT,
        # One replica where there is a second node; a single node stays green.
        "auto_expand_replicas": "0-1",
    },
    "analysis": {
        "tokenizer": {
            # Words are runs of letters and digits, as in domain.search.text.words and signx_words.
            "signx_words": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"},
        },
        "filter": {
            "signx_edge": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
        },
        "analyzer": {
            "signx_text": {
                "type": "custom",
                "tokenizer": "signx_words",
                "filter": ["lowercase", "asciifolding"],
            },
            "signx_prefix": {
                "type": "custom",
                "tokenizer": "signx_words",
                "filter": ["lowercase", "asciifolding", "signx_edge"],
            },
        },
        "normalizer": {
            "signx_folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]},
        },
    },
}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "project_id": {"type": "keyword"},
        "revision": {"type": "integer", "index": False},
        # Searched text; name sorts by its folded form ("depot B" between "Depot A" and "Depot C").
        "name": {**_TEXT, "fields": {"prefix": _PREFIX, "folded": _FOLDED}},
        # Facets and filters compare customer and account exactly; their words are searched too.
        "customer": {"type": "keyword", "fields": {"text": _TEXT, "prefix": _PREFIX, "folded": _FOLDED}},
        "account_id": {"type": "keyword", "fields": {"text": _TEXT, "prefix": _PREFIX, "folded": _FOLDED}},
        "site_address": {**_TEXT, "fields": {"prefix": _PREFIX}},
        "description": {**_TEXT, "fields": {"prefix": _PREFIX}},
        "design_text": {**_TEXT, "fields": {"prefix": _PREFIX}},
        "status": {"type": "keyword"},
        "owner_id": {"type": "keyword"},
        "owner_email": {"type": "keyword"},
        "created_at": {"type": "date"},
        "updated_at": {"type": "date"},
        "design_revision": {"type": "integer"},
        "design_pass": {"type": "boolean"},
        "design_section": {"type": "keyword"},
        "design_cabinets": {"type": "keyword"},
        "design_pole_count": {"type": "short"},
        "design_mount": {"type": "keyword"},
        "design_wind_mph": {"type": "scaled_float", "scaling_factor": 10},
        "design_total": {"type": "scaled_float", "scaling_factor": 100},
    },
}

# PostgreSQL's weights (name A 1.0 > customer, account B 0.6 > address C 0.3 > description and
# the design headline D 0.1) as boosts.
BOOSTS = {"name": 10, "customer": 6, "account_id": 6, "site_address": 3, "description": 1, "design_text": 1}
KEYWORD_TEXT = {"customer", "account_id"}  # keyword fields whose words live in ``.text``
WORD_FIELDS = [f"{f}.text^{b}" if f in KEYWORD_TEXT else f"{f}^{b}" for f, b in BOOSTS.items()]
PREFIX_FIELDS = [f"{f}.prefix^{b}" for f, b in BOOSTS.items()]
SUBSTRING_FIELDS = ["name.folded", "customer.folded", "account_id.folded"]


def index_body() -> dict[str, Any]:
    return {"settings": SETTINGS, "mappings": MAPPINGS}


# -- the query ---------------------------------------------------------------------------------------


def filter_clauses(filters: SearchFilters) -> list[dict[str, Any]]:
    """``SearchFilters`` as OpenSearch filters (the same bounds as ``matching.filter_clauses``)."""
    out: list[dict[str, Any]] = []
    for field, value in (
        ("status", filters.status.value if filters.status else None),
        ("owner_id", str(filters.owner_id) if filters.owner_id else None),
        ("account_id", filters.account_id),
        ("customer", filters.customer),
        ("design_mount", filters.mount.value if filters.mount else None),
        ("design_pole_count", filters.poles),
    ):
        if value is not None:
            out.append({"term": {field: value}})
    days = (
        ("created_at", filters.created_from, filters.created_to),
        ("updated_at", filters.updated_from, filters.updated_to),
    )
    for field, day_from, day_to in days:
        moments = {k: start_of_day(v).isoformat() for k, v in (("gte", day_from), ("lt", day_to)) if v}
        if moments:
            out.append({"range": {field: moments}})
    amounts = (
        ("design_wind_mph", filters.wind_min, filters.wind_max),
        ("design_total", filters.price_min, filters.price_max),
    )
    for field, low, high in amounts:
        bounds = {k: float(v) for k, v in (("gte", low), ("lt", high)) if v is not None}
        if bounds:
            out.append({"range": {field: bounds}})
    return out


def _wildcard(q: str) -> str:
    escaped = fold(q).replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")
    return f"*{escaped}*"


def _substring(q: str) -> dict[str, Any]:
    return {
        "bool": {
            "should": [{"wildcard": {f: {"value": _wildcard(q)}}} for f in SUBSTRING_FIELDS],
            "minimum_should_match": 1,
        }
    }


def text_query(q: str, *, fuzzy: bool = False) -> dict[str, Any] | None:
    """Every word required (anywhere), the last one also as a prefix; ``fuzzy``: the typo fallback
    (words within an edit distance, or the literal substring). None: no text, everything matches."""
    query_words = words(q)
    if not q:
        return None
    if not query_words:
        return _substring(q)
    if fuzzy:
        each = [
            {"multi_match": {"query": w, "fields": WORD_FIELDS, "fuzziness": "AUTO", "prefix_length": 1}}
            for w in query_words
        ]
        return {"bool": {"should": [{"bool": {"must": each}}, _substring(q)], "minimum_should_match": 1}}
    *whole, last = query_words
    must: list[dict[str, Any]] = [{"multi_match": {"query": w, "fields": WORD_FIELDS}} for w in whole]
    must.append(
        {
            "bool": {
                "should": [
                    {"multi_match": {"query": last, "fields": PREFIX_FIELDS}},
                    # A word longer than the longest n-gram still matches whole.
                    {"multi_match": {"query": last, "fields": WORD_FIELDS}},
                ],
                "minimum_should_match": 1,
            }
        }
    )
    return {"bool": {"must": must}}


def sort_clause(sort: SearchSort, *, ranked: bool) -> list[dict[str, Any]]:
    """The sorts of ``matching.order_by``: every order ends on the id, so pages never overlap."""
    newest: list[dict[str, Any]] = [{"created_at": "desc"}, {"project_id": "desc"}]
    if sort is SearchSort.relevance:
        return [{"_score": "desc"}, *newest] if ranked else newest
    orders: dict[SearchSort, list[dict[str, Any]]] = {
        SearchSort.newest: newest,
        SearchSort.oldest: [{"created_at": "asc"}, {"project_id": "asc"}],
        SearchSort.name: [{"name.folded": "asc"}, {"project_id": "asc"}],
        SearchSort.price_high: [
            {"design_total": {"order": "desc", "missing": "_last"}},
            {"project_id": "desc"},
        ],
        SearchSort.price_low: [{"design_total": {"order": "asc", "missing": "_last"}}, {"project_id": "asc"}],
    }
    return orders[sort]


def _ranges(field: str, buckets: Sequence[RangeBucket], *, dates: bool) -> dict[str, Any]:
    def bound(value: Any) -> Any:
        return start_of_day(value).isoformat() if dates else float(value)

    ranges = []
    for b in buckets:
        r: dict[str, Any] = {"key": b.key}
        if b.low is not None:
            r["from"] = bound(b.low)
        if b.high is not None:
            r["to"] = bound(b.high)
        ranges.append(r)
    return {"date_range" if dates else "range": {"field": field, "keyed": True, "ranges": ranges}}


def facet_aggregations(today: date) -> dict[str, Any]:
    """The facets of ``repository._facets_sql``: top values (count, then value) and range buckets."""

    def top(field: str, **extra: Any) -> dict[str, Any]:
        return {"terms": {"field": field, "size": TOP, **extra}}

    days = date_buckets(today)
    return {
        "status": top("status"),
        "owner": {**top("owner_id"), "aggs": {"email": top("owner_email", size=1)}},
        "account": top("account_id"),
        "customer": top("customer", exclude=[""]),
        "mount": top("design_mount"),
        "poles": top("design_pole_count"),
        "created": _ranges("created_at", days, dates=True),
        "updated": _ranges("updated_at", days, dates=True),
        "wind": _ranges("design_wind_mph", WIND_BUCKETS, dates=False),
        "price": _ranges("design_total", PRICE_BUCKETS, dates=False),
    }


def start_of(query: SearchQuery) -> int:
    """The row a page starts at: its offset, or where its ``after`` cursor left off (this index
    pages by position, up to its result window, whichever backend wrote the cursor)."""
    after = query.keyset()
    return query.offset if after is None else min(after.cursor.position, SEARCH_CAP)


def search_body(query: SearchQuery, today: date, *, fuzzy: bool = False) -> dict[str, Any]:
    text = text_query(query.q, fuzzy=fuzzy)
    bool_query: dict[str, Any] = {"filter": filter_clauses(query.filters())}
    if text is not None:
        bool_query["must"] = [text]
    body: dict[str, Any] = {
        "query": {"bool": bool_query},
        "from": start_of(query),
        "size": query.limit,
        "sort": sort_clause(query.sort, ranked=text is not None),
        # Exact up to the cap, "10,000+" beyond (SEARCH_CAP + 1 says "more").
        "track_total_hits": SEARCH_CAP + 1,
    }
    if query.facets:
        body["aggs"] = facet_aggregations(today)
    return body


def raw_facets(aggregations: Mapping[str, Any], today: date) -> dict[str, Any]:
    """OpenSearch's aggregations in the shape ``results.facets`` reads (the repository's)."""

    def pairs(name: str) -> list[list[Any]]:
        return [[b["key"], b["doc_count"]] for b in aggregations[name]["buckets"]]

    def counts(name: str, buckets: Sequence[RangeBucket]) -> list[int]:
        keyed = aggregations[name]["buckets"]
        return [int(keyed.get(b.key, {}).get("doc_count", 0)) for b in buckets]

    owners = [
        [b["key"], b["doc_count"], b["email"]["buckets"][0]["key"] if b["email"]["buckets"] else ""]
        for b in aggregations["owner"]["buckets"]
    ]
    days = date_buckets(today)
    return {
        "status": pairs("status"),
        "owner": owners,
        "account": pairs("account"),
        "customer": pairs("customer"),
        "mount": pairs("mount"),
        "poles": pairs("poles"),
        "ranges": [
            counts("created", days),
            counts("updated", days),
            counts("wind", WIND_BUCKETS),
            counts("price", PRICE_BUCKETS),
        ],
    }


def _total(hits: Mapping[str, Any]) -> int:
    total = hits["total"]
    return int(total["value"] if isinstance(total, Mapping) else total)


class BulkFailed(RuntimeError):
    """Some documents of a bulk request were refused (the first reason is in the message)."""


def _today() -> date:
    return utcnow().date()


class OpenSearchIndex:
    name = "opensearch"

    def __init__(
        self,
        url: str,
        *,
        alias: str = "signx-projects",
        timeout_seconds: float = 2.0,
        today: Callable[[], date] = _today,
    ) -> None:
        self.alias = alias
        self.timeout_seconds = timeout_seconds
        self.today = today
        # The library logs every failed request with its traceback at WARNING (a line per search
        # while the cluster is down); the fallback says it once per search, in a line.
        logging.getLogger("opensearch").setLevel(logging.ERROR)
        # No retries: a failed request falls back to PostgreSQL at once (infra.search.fallback).
        self.client = AsyncOpenSearch(
            hosts=[url], timeout=timeout_seconds, max_retries=0, retry_on_timeout=False
        )
        self._alias_known = False

    async def aclose(self) -> None:
        await self.client.close()

    # -- searching -----------------------------------------------------------------------------------

    async def search(self, query: SearchQuery) -> SearchResult:
        today = self.today()
        body = await self.client.search(index=self.alias, body=search_body(query, today))
        fuzzy = False
        if _total(body["hits"]) == 0 and words(query.q):
            fuzzy = True
            body = await self.client.search(index=self.alias, body=search_body(query, today, fuzzy=True))
        hits = body["hits"]
        ranked = query.sort is SearchSort.relevance and bool(query.q)
        ids = [(h["_source"]["project_id"], h.get("_score") if ranked else None) for h in hits["hits"]]
        rows = {h["_source"]["project_id"]: row_of(h["_source"]) for h in hits["hits"]}
        aggregations = body.get("aggregations")
        start, total = start_of(query), _total(hits)
        return result(
            query,
            position=start,
            more=len(ids) == query.limit and start + len(ids) < min(total, SEARCH_CAP),
            total=total,
            ranked_ids=ids,
            rows=rows,
            raw_facets=raw_facets(aggregations, today) if aggregations is not None else None,
            today=today,
            fuzzy=fuzzy,
            backend=self.name,
        )

    async def state(self) -> str:
        try:
            exists = await self.client.indices.exists_alias(name=self.alias)
        except Exception as exc:  # noqa: BLE001 - a state to report, never an error
            return f"unavailable: {type(exc).__name__}"
        return "ok" if exists else "no index yet (run: python app.py search reindex)"

    # -- writing ---------------------------------------------------------------------------------------

    async def _ensure_alias(self) -> None:
        """The first write on an empty cluster creates the first index behind the alias (its name is
        fixed, so two processes doing it at once create one)."""
        if self._alias_known:
            return
        if not await self.client.indices.exists_alias(name=self.alias):
            first = f"{self.alias}-v{MAPPING_VERSION}-initial"
            try:
                await self.client.indices.create(
                    index=first, body={**index_body(), "aliases": {self.alias: {}}}
                )
            except RequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        self._alias_known = True

    async def _bulk(self, lines: list[dict[str, Any]], *, seconds: float | None = None) -> None:
        if not lines:
            return
        answer = await self.client.bulk(body=lines, request_timeout=seconds or self.timeout_seconds)
        if not answer.get("errors"):
            return
        for item in answer["items"]:
            outcome = next(iter(item.values()))
            error = outcome.get("error")
            # A newer revision is already there (an older refresh arrived late): nothing to do.
            if error and error.get("type") != "version_conflict_engine_exception":
                raise BulkFailed(f"{error.get('type')}: {error.get('reason')}")

    @staticmethod
    def _index_lines(documents: Sequence[Mapping[str, Any]], index: str) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        for doc in documents:
            # The project's revision is the version: an older row never replaces a newer document.
            action = {"_index": index, "_id": doc["project_id"], "version": doc["revision"]}
            lines += [{"index": {**action, "version_type": "external_gte"}}, dict(doc)]
        return lines

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        await self._ensure_alias()
        await self._bulk(self._index_lines(documents, self.alias))

    async def remove(self, project_ids: Sequence[str]) -> None:
        await self._ensure_alias()
        await self._bulk([{"delete": {"_index": self.alias, "_id": str(p)}} for p in project_ids])

    async def indexes_behind_alias(self) -> list[str]:
        try:
            return sorted(await self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    async def rebuild(
        self,
        batches: AsyncIterable[Sequence[Mapping[str, Any]]],
        *,
        total: int,
        on_progress: Callable[[int, int], None],
    ) -> None:
        """A new versioned index, bulk-loaded (no refreshes meanwhile), then the alias moved to it
        in one ``_aliases`` call (searches see the old index or the new one, never neither), then
        the old index deleted. A failure before the swap deletes the new index and changes nothing."""
        name = f"{self.alias}-v{MAPPING_VERSION}-{utcnow():%Y%m%dt%H%M%S%f}"
        body = index_body()
        body["settings"] = {**SETTINGS, "index": {**SETTINGS["index"], "refresh_interval": "-1"}}
        indices = self.client.indices
        await indices.create(index=name, body=body, request_timeout=REBUILD_TIMEOUT_SECONDS)
        try:
            done = 0
            async for batch in batches:
                await self._bulk(self._index_lines(batch, name), seconds=REBUILD_TIMEOUT_SECONDS)
                done += len(batch)
                on_progress(done, total)
            await indices.put_settings(index=name, body={"index": {"refresh_interval": None}})
            await indices.refresh(index=name, request_timeout=REBUILD_TIMEOUT_SECONDS)
            old = await self.indexes_behind_alias()
            actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
            actions.append({"add": {"index": name, "alias": self.alias}})
            await indices.update_aliases(body={"actions": actions})
        except BaseException:
            with suppress(Exception):
                await indices.delete(index=name)
            raise
        self._alias_known = True
        for index in old:
            try:
                await indices.delete(index=index, request_timeout=REBUILD_TIMEOUT_SECONDS)
            except Exception:  # noqa: BLE001 - the swap is done; a leftover index only takes space
                log.warning("could not delete the old search index %s", index, exc_info=True)
