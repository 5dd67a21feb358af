"""The live job feed: ONE poll of the jobs table per server process, shared by every open tab.

Each open job monitor (and each project page following its reports) subscribes with the list it
shows (a :class:`JobQuery`: filters and page). While at least one tab is subscribed, one task
reads the overview (queue depth, live workers, jobs per minute) and the page of every distinct
list subscribed, once per ``interval``, and hands each subscriber the snapshot of its list. Fifty
tabs on the same view cost the database what one does; with nobody subscribed nothing is read.

Distinct lists are coalesced; when more than ``max_lists_per_poll`` are subscribed at once, each
poll reads those waited on longest, so the statements per poll stay bounded whatever the tabs ask
for (and a rarely seen list is at most a few polls late).

The feed holds no module state: the composition root makes one and hands it to the pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from domain.jobs.schemas import JobListed, JobQuery, JobsOverview
from domain.jobs.service import JobService
from domain.orm import utcnow
from domain.paging import Page

log = logging.getLogger("signx.jobs.feed")


@dataclass(frozen=True)
class FeedSnapshot:
    """What one subscriber is shown: the overview, its list, and whether the last read failed."""

    overview: JobsOverview | None
    page: Page[JobListed] | None
    read_at: datetime
    # Set when the last poll could not read (the database unreachable); the data is the last good.
    error: str | None = None


Deliver = Callable[[FeedSnapshot], None]


def _key(query: JobQuery) -> tuple[object, ...]:
    return (query.kind, query.kinds, query.status, query.project_id, query.limit, query.offset)


@dataclass
class _List:
    query: JobQuery
    page: Page[JobListed] | None = None
    read_at: float = 0.0  # monotonic time of the last read; 0: never read
    subscribers: set[Subscription] = field(default_factory=set)


class Subscription:
    """A tab's interest in one list; ``close()`` it when the tab is hidden or gone."""

    def __init__(self, feed: JobFeed, key: tuple[object, ...], deliver: Deliver) -> None:
        self._feed = feed
        self._key = key
        self._deliver = deliver
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._feed._unsubscribe(self)  # noqa: SLF001

    def deliver(self, snapshot: FeedSnapshot) -> None:
        try:
            self._deliver(snapshot)
        except Exception:  # one broken tab must not stop the feed for the others
            log.exception("a job feed subscriber failed")


class JobFeed:
    def __init__(
        self,
        jobs: JobService,
        *,
        worker_max_age_seconds: float,
        interval: float = 1.0,
        max_lists_per_poll: int = 8,
        chart_minutes: int = 60,
    ) -> None:
        self.jobs = jobs
        self.worker_max_age_seconds = worker_max_age_seconds
        self.interval = interval
        self.max_lists_per_poll = max(1, max_lists_per_poll)
        self.chart_minutes = chart_minutes
        self._lists: dict[tuple[object, ...], _List] = {}
        self._overview: JobsOverview | None = None
        self._error: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.polls = 0  # polls made since start: what the load tests count

    @property
    def subscribers(self) -> int:
        return sum(len(lst.subscribers) for lst in self._lists.values())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def subscribe(self, query: JobQuery, deliver: Deliver) -> Subscription:
        """Start receiving snapshots of ``query``'s list (at once when it was read recently,
        else after the next poll, which a new list brings forward). Call from the event loop."""
        key = _key(query)
        sub = Subscription(self, key, deliver)
        lst = self._lists.get(key)
        if lst is None:
            lst = self._lists[key] = _List(query)
        lst.subscribers.add(sub)
        if lst.page is not None:
            sub.deliver(self._snapshot(lst))
        else:
            self._wake.set()
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="job-feed")
        return sub

    def refresh_soon(self) -> None:
        """Poll now rather than at the next tick (after a change made here, e.g. a retry)."""
        self._wake.set()

    def _unsubscribe(self, sub: Subscription) -> None:
        lst = self._lists.get(sub._key)  # noqa: SLF001
        if lst is None:
            return
        lst.subscribers.discard(sub)
        if not lst.subscribers:
            del self._lists[sub._key]  # noqa: SLF001
        # The poll task ends by itself once nobody is subscribed.

    def _snapshot(self, lst: _List) -> FeedSnapshot:
        return FeedSnapshot(overview=self._overview, page=lst.page, read_at=utcnow(), error=self._error)

    async def _run(self) -> None:
        while self._lists:
            started = time.monotonic()
            self._wake.clear()
            await self.poll()
            rest = self.interval - (time.monotonic() - started)
            if rest > 0 and self._lists:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), rest)

    async def poll(self) -> None:
        """One read: the overview and the lists waited on longest; then every subscriber of a
        list read is handed its snapshot. A failed read keeps the last good data and says so."""
        self.polls += 1
        due = sorted(self._lists.values(), key=lambda lst: lst.read_at)[: self.max_lists_per_poll]
        try:
            self._overview = await self.jobs.overview(
                worker_max_age_seconds=self.worker_max_age_seconds, minutes=self.chart_minutes
            )
            self._error = None
        except Exception as exc:  # the database away: every list waits for the next poll
            log.warning("job feed poll failed", exc_info=True)
            self._error = f"The job list cannot be read right now ({type(exc).__name__}); retrying."
            due = list(self._lists.values())
        else:
            for lst in due:
                try:
                    lst.page = await self.jobs.list_with_projects(lst.query)
                except Exception as exc:
                    log.warning("job feed list read failed", exc_info=True)
                    self._error = f"The job list cannot be read right now ({type(exc).__name__}); retrying."
                lst.read_at = time.monotonic()
        for lst in due:
            for sub in list(lst.subscribers):
                sub.deliver(self._snapshot(lst))

    async def aclose(self, *, grace_seconds: float = 5.0) -> None:
        """Stop polling (the composition root's release). A poll under way is let finish rather
        than cancelled: cancelled mid-query, its connection would be dropped unclosed."""
        for lst in list(self._lists.values()):
            for sub in list(lst.subscribers):
                sub.close()
        self._wake.set()  # nobody subscribed now: the loop ends after the poll under way
        task, self._task = self._task, None
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
