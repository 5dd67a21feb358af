"""A stand-in for OpenSearch for the tests: no OpenSearch server can run on these machines.

An aiohttp server on 127.0.0.1 (a free port, in the test's event loop, stopped by the test) that
implements the few REST calls the adapter (``infra.search.opensearch``) makes: create an index
(mappings and settings are recorded), delete one, alias lookup and atomic alias updates, settings
and refresh (accepted), ``_bulk`` (index with ``external_gte`` versions, delete) and ``_search``.
Searches answer from the documents it received: the query DSL the adapter writes (bool must /
filter / should, multi_match over fields with boosts, fuzziness, wildcard, term, range, sort,
from/size, track_total_hits, terms / range / date_range aggregations) is evaluated here in Python,
with ``domain.search.text`` standing in for the analysers (split at non-alphanumerics, lower case,
accents folded; ``.prefix`` sub-fields match word prefixes, as edge n-grams do). Scores are the
best matching field's boost per clause, summed: enough to rank a name match above a description
match, not BM25.

``delay`` makes searches wait that long before answering (a slow cluster); ``fail_searches``
makes them answer 500. ``requests`` records (method, path) of every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from datetime import datetime
from typing import Any

from aiohttp import web

from domain.search.text import fold, words

DATES = {"created_at", "updated_at"}


def _error(status: int, kind: str, reason: str) -> web.Response:
    return web.json_response({"error": {"type": kind, "reason": reason}, "status": status}, status=status)


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _wildcard_regex(pattern: str) -> str:
    """A wildcard query's pattern (``*``, ``?``, ``\\`` escapes) as a regular expression."""
    out, chars = [], iter(pattern)
    for c in chars:
        if c == "\\":
            out.append(re.escape(next(chars, "\\")))
        else:
            out.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
    return "".join(out)


def _auto_fuzziness(word: str) -> int:
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2


def _value(doc: dict[str, Any], path: str) -> Any:
    base, _, sub = path.partition(".")
    value = doc.get(base)
    if sub == "folded" and isinstance(value, str):
        return fold(value)
    return value


def _comparable(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in DATES:
        return datetime.fromisoformat(value)
    return float(value)


class FakeOpenSearch:
    def __init__(self) -> None:
        self.indexes: dict[str, dict[str, Any]] = {}  # name -> {"body": ..., "docs": {id: (version, source)}}
        self.aliases: dict[str, set[str]] = {}
        self.requests: list[tuple[str, str]] = []
        self.alias_updates: list[list[dict[str, Any]]] = []
        self.bulk_bodies: list[list[dict[str, Any]]] = []
        self.delay = 0.0
        self.fail_searches = False
        self._released = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- life -------------------------------------------------------------------------------------

    async def start(self) -> FakeOpenSearch:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._released.set()  # a delayed search answers now
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what the tests look at --------------------------------------------------------------------

    def searches(self) -> int:
        return sum(1 for _, path in self.requests if path.endswith("/_search"))

    def behind(self, alias: str) -> list[str]:
        return sorted(self.aliases.get(alias, set()))

    def documents(self, alias: str) -> dict[str, dict[str, Any]]:
        docs: dict[str, dict[str, Any]] = {}
        for name in self._resolve(alias) or []:
            docs.update({k: v[1] for k, v in self.indexes[name]["docs"].items()})
        return docs

    # -- the REST calls -----------------------------------------------------------------------------

    def _resolve(self, name: str) -> list[str] | None:
        if name in self.aliases:
            return sorted(self.aliases[name])
        if name in self.indexes:
            return [name]
        return None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        method, path = request.method, request.path
        self.requests.append((method, path))
        raw = await request.text()
        parts = [p for p in path.split("/") if p]
        if method in ("GET", "HEAD") and not parts:
            return web.json_response({"version": {"number": "2.17.0", "distribution": "opensearch"}})
        if parts and parts[0] == "_alias" and len(parts) == 2:
            behind = self.behind(parts[1])
            if not behind:
                return _error(404, "aliases_not_found_exception", f"alias [{parts[1]}] missing")
            return web.json_response({i: {"aliases": {parts[1]: {}}} for i in behind})
        if parts == ["_aliases"] and method == "POST":
            return self._update_aliases(json.loads(raw))
        if parts and parts[-1] == "_bulk" and method in ("POST", "PUT"):
            return self._bulk([json.loads(line) for line in raw.splitlines() if line.strip()])
        if len(parts) == 2 and parts[1] == "_search":
            return await self._search(parts[0], json.loads(raw) if raw else {})
        if len(parts) == 2 and parts[1] in ("_settings", "_refresh"):
            if self._resolve(parts[0]) is None:
                return _error(404, "index_not_found_exception", f"no such index [{parts[0]}]")
            return web.json_response({"acknowledged": True})
        if len(parts) == 1 and method == "PUT":
            return self._create(parts[0], json.loads(raw) if raw else {})
        if len(parts) == 1 and method == "DELETE":
            if parts[0] not in self.indexes:
                return _error(404, "index_not_found_exception", f"no such index [{parts[0]}]")
            del self.indexes[parts[0]]
            for members in self.aliases.values():
                members.discard(parts[0])
            self.aliases = {a: m for a, m in self.aliases.items() if m}
            return web.json_response({"acknowledged": True})
        return _error(400, "unsupported", f"{method} {path} is not implemented by the fake")

    def _create(self, name: str, body: dict[str, Any]) -> web.Response:
        if name in self.indexes:
            return _error(400, "resource_already_exists_exception", f"index [{name}] already exists")
        self.indexes[name] = {"body": body, "docs": {}}
        for alias in body.get("aliases", {}):
            self.aliases.setdefault(alias, set()).add(name)
        return web.json_response({"acknowledged": True, "index": name})

    def _update_aliases(self, body: dict[str, Any]) -> web.Response:
        actions = body["actions"]
        for action in actions:  # all checked before any is applied: atomic
            ((kind, spec),) = action.items()
            if spec["index"] not in self.indexes:
                return _error(404, "index_not_found_exception", spec["index"])
        self.alias_updates.append(actions)
        for action in actions:
            ((kind, spec),) = action.items()
            members = self.aliases.setdefault(spec["alias"], set())
            (members.add if kind == "add" else members.discard)(spec["index"])
        self.aliases = {a: m for a, m in self.aliases.items() if m}
        return web.json_response({"acknowledged": True})

    def _bulk(self, lines: list[dict[str, Any]]) -> web.Response:
        self.bulk_bodies.append(lines)
        items: list[dict[str, Any]] = []
        errors = False
        i = 0
        while i < len(lines):
            ((kind, meta),) = lines[i].items()
            targets = self._resolve(meta["_index"])
            source = lines[i + 1] if kind == "index" else None
            i += 2 if kind == "index" else 1
            if not targets or len(targets) != 1:
                errors = True
                items.append({kind: {"status": 404, "error": {"type": "index_not_found_exception"}}})
                continue
            docs = self.indexes[targets[0]]["docs"]
            if kind == "delete":
                found = docs.pop(meta["_id"], None)
                items.append(
                    {kind: {"status": 200 if found else 404, "result": "deleted" if found else "not_found"}}
                )
                continue
            version = int(meta.get("version", 1))
            stored = docs.get(meta["_id"])
            if stored is not None and meta.get("version_type") == "external_gte" and stored[0] > version:
                errors = True
                items.append(
                    {
                        kind: {
                            "status": 409,
                            "error": {"type": "version_conflict_engine_exception", "reason": "old"},
                        }
                    }
                )
                continue
            docs[meta["_id"]] = (version, source)
            items.append({kind: {"status": 201 if stored is None else 200, "result": "created"}})
        return web.json_response({"took": 1, "errors": errors, "items": items})

    # -- searching ----------------------------------------------------------------------------------

    async def _search(self, target: str, body: dict[str, Any]) -> web.Response:
        if self.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), self.delay)
        if self.fail_searches:
            return _error(500, "search_phase_execution_exception", "all shards failed")
        names = self._resolve(target)
        if names is None:
            return _error(404, "index_not_found_exception", f"no such index [{target}]")
        docs = [src for n in names for _, src in self.indexes[n]["docs"].values()]
        scored = [(score, doc) for doc in docs for ok, score in [self._match(body.get("query"), doc)] if ok]
        ordered = self._sort(scored, body.get("sort", [{"_score": "desc"}]))
        start, size = body.get("from", 0), body.get("size", 10)
        cap = body.get("track_total_hits", 10_000)
        by_score = any("_score" in s for s in body.get("sort", [{"_score": "desc"}]))
        answer: dict[str, Any] = {
            "hits": {
                "total": {"value": min(len(scored), cap), "relation": "gte" if len(scored) > cap else "eq"},
                "hits": [
                    {
                        "_index": names[0],
                        "_id": doc["project_id"],
                        "_score": score if by_score else None,
                        "_source": doc,
                    }
                    for score, doc in ordered[start : start + size]
                ],
            }
        }
        if "aggs" in body:
            answer["aggregations"] = {
                n: self._aggregate(spec, [d for _, d in scored]) for n, spec in body["aggs"].items()
            }
        return web.json_response(answer)

    def _match(self, query: dict[str, Any] | None, doc: dict[str, Any]) -> tuple[bool, float]:
        if not query or "match_all" in query:
            return True, 1.0
        ((kind, spec),) = query.items()
        if kind == "bool":
            score = 0.0
            for clause in spec.get("filter", []):
                if not self._match(clause, doc)[0]:
                    return False, 0.0
            for clause in spec.get("must", []):
                ok, s = self._match(clause, doc)
                if not ok:
                    return False, 0.0
                score += s
            should = [self._match(c, doc) for c in spec.get("should", [])]
            hits = [s for ok, s in should if ok]
            needed = spec.get("minimum_should_match", 0 if ("must" in spec or "filter" in spec) else 1)
            if should and len(hits) < needed:
                return False, 0.0
            return True, score + sum(hits)
        if kind == "multi_match":
            return self._multi_match(spec, doc)
        if kind == "term":
            ((field, value),) = spec.items()
            return doc.get(field) == value, 0.0
        if kind == "range":
            ((field, bounds),) = spec.items()
            value = _comparable(field, doc.get(field))
            if value is None:
                return False, 0.0
            low, high = _comparable(field, bounds.get("gte")), _comparable(field, bounds.get("lt"))
            return (low is None or value >= low) and (high is None or value < high), 0.0
        if kind == "wildcard":
            ((field, spec_value),) = spec.items()
            pattern = _wildcard_regex(spec_value["value"])
            value = _value(doc, field)
            return bool(value is not None and re.fullmatch(pattern, value, re.S)), 1.0
        raise AssertionError(f"query {kind!r} is not implemented by the fake")

    def _multi_match(self, spec: dict[str, Any], doc: dict[str, Any]) -> tuple[bool, float]:
        query_words = words(spec["query"])
        best = 0.0
        for entry in spec["fields"]:
            path, _, boost = entry.partition("^")
            base, _, sub = path.partition(".")
            tokens = words(doc.get(base) or "")

            def hit(w: str, tokens: list[str] = tokens, sub: str = sub) -> bool:
                if sub == "prefix":
                    return any(t.startswith(w) for t in tokens)
                if spec.get("fuzziness"):
                    edits = _auto_fuzziness(w)
                    return any(t[:1] == w[:1] and _distance(t, w) <= edits for t in tokens)
                return w in tokens

            if query_words and all(hit(w) for w in query_words):
                best = max(best, float(boost or 1))
        return best > 0, best

    def _sort(
        self, scored: list[tuple[float, dict[str, Any]]], sort: list[Any]
    ) -> list[tuple[float, dict[str, Any]]]:
        ordered = list(scored)
        for clause in reversed(sort):
            ((field, how),) = clause.items()
            order = how if isinstance(how, str) else how["order"]
            reverse = order == "desc"

            def key(item: tuple[float, dict[str, Any]], field: str = field) -> Any:
                return item[0] if field == "_score" else _value(item[1], field)

            present = [i for i in ordered if key(i) is not None]
            missing = [i for i in ordered if key(i) is None]
            present.sort(key=key, reverse=reverse)
            ordered = present + missing  # missing last, as the adapter asks
        return ordered

    def _aggregate(self, spec: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
        if "terms" in spec:
            terms = spec["terms"]
            counts: dict[Any, list[dict[str, Any]]] = {}
            for doc in docs:
                value = doc.get(terms["field"])
                if value is not None and value not in terms.get("exclude", []):
                    counts.setdefault(value, []).append(doc)
            ranked = sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0]))[: terms.get("size", 10)]
            buckets = []
            for value, members in ranked:
                bucket: dict[str, Any] = {"key": value, "doc_count": len(members)}
                for sub_name, sub_spec in spec.get("aggs", {}).items():
                    bucket[sub_name] = self._aggregate(sub_spec, members)
                buckets.append(bucket)
            return {"buckets": buckets}
        ((kind, ranges),) = spec.items()
        field = ranges["field"]
        keyed: dict[str, Any] = {}
        for r in ranges["ranges"]:
            low, high = _comparable(field, r.get("from")), _comparable(field, r.get("to"))
            count = 0
            for doc in docs:
                value = _comparable(field, doc.get(field))
                if value is not None and (low is None or value >= low) and (high is None or value < high):
                    count += 1
            keyed[r["key"]] = {"doc_count": count}
        return {"buckets": keyed}
