"""The search page's and ``/api/v1/search``'s use cases: search, export, saved searches.

Searching goes through the ``SearchIndex`` port (PostgreSQL, or OpenSearch with PostgreSQL as its
fallback); the CSV export always reads PostgreSQL, the source of truth, through a server-side
cursor, so every matching row is exported however many there are.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta
from typing import Any

from domain.errors import Conflict, NotFound
from domain.orm import utcnow
from domain.ports import SearchIndex, UnitOfWork
from domain.search import repository as repo
from domain.search.documents import search_document
from domain.search.matching import text_clauses
from domain.search.models import SavedSearch
from domain.search.results import CSV_HEADER, csv_row
from domain.search.schemas import SavedSearchIn, SavedSearchOut, SearchQuery, SearchResult
from domain.search.text import words
from domain.users.schemas import Actor

MAX_SAVED = 100  # saved searches per user
REINDEX_BATCH = 500  # documents per bulk request of a reindex
# A reindex re-sends, after the swap, every project changed since this long before it started:
# a change the rebuild read before it committed went to the old index only.
REINDEX_OVERLAP = timedelta(minutes=5)


def _saved_out(row: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(
        saved_search_id=row.saved_search_id, name=row.name, url=row.url, created_at=row.created_at
    )


class SearchService:
    def __init__(self, uow: UnitOfWork, index: SearchIndex) -> None:
        self.uow = uow
        self.index = index

    @property
    def backend(self) -> str:
        return self.index.name

    async def search(self, actor: Actor, query: SearchQuery) -> SearchResult:
        """Every role may search every project (all roles view all projects)."""
        return await self.index.search(query)

    async def export(self, actor: Actor, query: SearchQuery) -> AsyncIterator[list[str]]:
        """The header, then every project the query matches (not only a page), in its order.
        A query whose words match nothing exports what the typo fallback finds, like the page."""
        yield list(CSV_HEADER)
        filters = query.filters()
        async with self.uow() as tx:
            clauses = text_clauses(query.q, filters)
            found = False
            async for row in repo.stream(tx.session, clauses, sort=query.sort):
                found = True
                yield csv_row(row._mapping)
            if not found and words(query.q):
                fuzzy = text_clauses(query.q, filters, mode="fuzzy")
                async for row in repo.stream(tx.session, fuzzy, sort=query.sort):
                    yield csv_row(row._mapping)

    # -- the search engine's documents ------------------------------------------------------------

    async def refresh(self, project_ids: Sequence[str]) -> None:
        """Bring the search engine's documents of these projects in line with their committed rows
        (the outbox's ``search.index`` consumer: it runs after the change committed, never inside
        it). A project that exists is upserted, one that does not is removed. Idempotent, and an
        older row never replaces a newer document (the project's revision is its version)."""
        ids = [uuid.UUID(str(p)) for p in project_ids]
        async with self.uow() as tx:
            rows = await repo.document_rows(tx.session, ids)
        documents = [search_document(r._mapping) for r in rows]
        found = {d["project_id"] for d in documents}
        if documents:
            await self.index.index(documents)
        gone = [str(i) for i in ids if str(i) not in found]
        if gone:
            await self.index.remove(gone)

    async def reindex(self, on_progress: Callable[[int, int], None]) -> int:
        """Rebuild the search engine's index from every project (a new index, swapped in at once),
        then re-send what changed meanwhile. Returns the number of projects indexed."""
        started = utcnow()
        async with self.uow() as tx:
            total = await repo.count_projects(tx.session)
            await self.index.rebuild(_batches(tx.session), total=total, on_progress=on_progress)
        async with self.uow() as tx:
            async for batch in _batches(tx.session, changed_since=started - REINDEX_OVERLAP):
                await self.index.index(batch)
        return total

    async def state(self) -> dict[str, str]:
        """The backend and its state, for ``/ready`` (never raises)."""
        return {"backend": self.index.name, "state": await self.index.state()}

    # -- saved searches ----------------------------------------------------------------------------

    async def saved(self, actor: Actor) -> list[SavedSearchOut]:
        async with self.uow(actor.user_id) as tx:
            rows = await repo.saved(tx.session, uuid.UUID(tx.actor.user_id))
            return [_saved_out(r) for r in rows]

    async def save(self, actor: Actor, data: SavedSearchIn) -> SavedSearchOut:
        """Save (or, under a name already used, replace) a search page address."""
        async with self.uow(actor.user_id) as tx:
            session, user_id = tx.session, uuid.UUID(tx.actor.user_id)
            row = await repo.saved_by_name(session, user_id, data.name)
            if row is None:
                if len(await repo.saved(session, user_id)) >= MAX_SAVED:
                    raise Conflict(
                        f"You have {MAX_SAVED} saved searches; delete one first.",
                        fields=[{"field": "name", "message": "too many saved searches"}],
                    )
                row = SavedSearch(user_id=user_id, name=data.name, url=data.url, created_at=utcnow())
                session.add(row)
            else:
                row.url = data.url
            await session.flush()
            return _saved_out(row)

    async def delete_saved(self, actor: Actor, saved_search_id: int) -> None:
        async with self.uow(actor.user_id) as tx:
            if not await repo.delete_saved(tx.session, uuid.UUID(tx.actor.user_id), saved_search_id):
                raise NotFound(f"No saved search {saved_search_id}.")


async def _batches(session: Any, **kwargs: Any) -> AsyncIterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    async for row in repo.stream_documents(session, **kwargs):
        batch.append(search_document(row._mapping))
        if len(batch) == REINDEX_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
