"""The ``SearchIndex`` on PostgreSQL full text: the default backend and the fallback of any other.

It reads the projects table through the unit of work like every repository does (the document is
a generated column of the row, so it is current the moment a change commits: ``index`` and
``remove`` have nothing to do). When the words match nothing, the same request tries the typo
fallback (substring or pg_trgm word similarity) and says what it matched ("did you mean").
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from datetime import date
from typing import Any

from domain.orm import utcnow
from domain.ports import UnitOfWork
from domain.search import repository as repo
from domain.search.matching import Clauses, text_clauses
from domain.search.results import result
from domain.search.schemas import SEARCH_CAP, SearchAfter, SearchQuery, SearchResult
from domain.search.text import words


def _today() -> date:
    return utcnow().date()


class PostgresSearch:
    name = "postgresql"

    def __init__(self, uow: UnitOfWork, *, today: Callable[[], date] = _today) -> None:
        self.uow = uow
        self.today = today

    async def search(self, query: SearchQuery) -> SearchResult:
        today = self.today()
        filters = query.filters()
        after: SearchAfter | None = query.keyset()
        offset = query.offset
        if after is not None and after.rank is not None and after.cursor.backend != self.name:
            # Another engine's relevance (OpenSearch's score) is no key here: go on by position.
            offset = min(after.cursor.position, SEARCH_CAP)
            after = None
        fuzzy = False if after is None else after.cursor.fuzzy
        async with self.uow() as tx:
            session = tx.session
            await repo.plan_for_the_values(session)
            clauses = text_clauses(query.q, filters, mode="fuzzy" if fuzzy else "words")

            async def run(clauses: Clauses) -> repo.Counts:
                return await repo.search(
                    session,
                    clauses,
                    sort=query.sort,
                    limit=query.limit + 1,  # one more says whether a page follows
                    offset=offset,
                    facets=query.facets,
                    today=today,
                    after=after,
                )

            counts = await run(clauses)
            if after is None and counts.total == 0 and words(query.q):
                fuzzy = True
                counts = await run(text_clauses(query.q, filters, mode="fuzzy"))
            ids = counts.ids[: query.limit]
            rows = await repo.rows(session, [i for i, _ in ids])
        total = counts.total if counts.total is not None else after.cursor.total if after else 0
        return result(
            query,
            total=total,
            ranked_ids=ids,
            rows={k: v._mapping for k, v in rows.items()},
            raw_facets=counts.facets,
            today=today,
            fuzzy=fuzzy,
            backend=self.name,
            position=after.cursor.position if after is not None else offset,
            more=len(counts.ids) > query.limit,
        )

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        return None

    async def remove(self, project_ids: Sequence[str]) -> None:
        return None

    async def rebuild(
        self,
        batches: AsyncIterable[Sequence[Mapping[str, Any]]],
        *,
        total: int,
        on_progress: Callable[[int, int], None],
    ) -> None:
        return None

    async def state(self) -> str:
        return "ok"
