"""The shared job feed on the real database: one poll per process however many tabs follow it,
nothing read while nobody follows, each tab handed its own list, and the monitor's read side
(project names, jobs per minute, live workers, queue depth)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from domain.jobs.feed import FeedSnapshot, JobFeed
from domain.jobs.schemas import REPORT, JobQuery, JobStatus
from domain.projects.schemas import ProjectCreate
from tests.designs import save_passing_design
from tests.waiting import eventually


async def actor(services, email, role):
    creds = await services.users.create(email, role)
    return await services.users.authenticate_api_key(creds.api_key)


async def report_job(services, who, project_id):
    return await services.jobs.request(
        who,
        kind=REPORT,
        project_id=project_id,
        revision=1,
        payload={"project_id": project_id, "revision": 1},
    )


@pytest.fixture
async def project(services):
    estimator = await actor(services, "est@example.com", "estimator")
    created = await services.projects.create(
        estimator, ProjectCreate(name="Elm St Pylon", account_id="A-1", customer="Acme", site_address="1 Elm")
    )
    await save_passing_design(services, estimator, created)
    return estimator, created


class StatementCounter:
    """Counts the SQL statements sent on an engine (BEGIN/COMMIT are not statements here)."""

    def __init__(self, engine) -> None:
        self.count = 0
        self.engine = engine.sync_engine
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


async def test_fifty_tabs_on_the_monitor_cost_one_poll_a_second_and_a_few_statements(services, project):
    estimator, created = project
    for _ in range(3):
        await report_job(services, estimator, created.project_id)
    feed = JobFeed(services.jobs, worker_max_age_seconds=18, interval=1.0)
    counter = StatementCounter(services.jobs.uow.db.engine)
    seen: list[list[FeedSnapshot]] = [[] for _ in range(50)]
    try:
        # 50 tabs, as NiceGUI clients open them: the default view, a few on the project's jobs.
        subs = []
        for i in range(50):
            query = JobQuery(project_id=created.project_id) if i % 10 == 0 else JobQuery(limit=25)
            subs.append(feed.subscribe(query, seen[i].append))
        counter.count = 0
        started = time.monotonic()
        await asyncio.sleep(4.2)
        elapsed = time.monotonic() - started
        polls, statements = feed.polls, counter.count
    finally:
        counter.close()
        await feed.aclose()

    # One poll a second for all 50 (the first at once: 5 in 4.2 s), not 50 a second.
    assert 4 <= polls <= elapsed + 1, polls
    # Per poll: the overview (queue depth, workers, jobs per minute: 3) and the two distinct lists
    # (count + rows: 2 each): 7 statements a second for 50 tabs, where a poll per tab were 350.
    assert statements <= polls * 7, (statements, polls)
    # Every tab was handed its own list, every second.
    for i, snapshots in enumerate(seen):
        assert len(snapshots) >= 4, (i, len(snapshots))
        last = snapshots[-1]
        assert last.page is not None and last.overview is not None and last.error is None
        assert last.page.total == 3
        assert {j.project_name for j in last.page.items} == {"Elm St Pylon"}
    assert not feed.running and feed.subscribers == 0


async def test_nothing_is_read_while_nobody_follows_and_the_poll_stops_with_the_last_tab(services, project):
    feed = JobFeed(services.jobs, worker_max_age_seconds=18, interval=0.2)
    try:
        await asyncio.sleep(0.5)
        assert feed.polls == 0 and not feed.running

        got: list[FeedSnapshot] = []
        sub = feed.subscribe(JobQuery(), got.append)
        await eventually(lambda: feed.running and bool(got), seconds=10, what="the first poll")
        sub.close()
        await eventually(lambda: not feed.running, seconds=10, what="the poll to stop")
        stopped_at = feed.polls
        await asyncio.sleep(0.6)  # three intervals: nothing more is read
        assert not feed.running and feed.polls == stopped_at

        # A tab that comes back (visible again) gets the list at once and the poll resumes.
        again: list[FeedSnapshot] = []
        feed.subscribe(JobQuery(), again.append)
        await eventually(lambda: feed.running and bool(again), seconds=10, what="the poll to resume")
    finally:
        await feed.aclose()


async def test_a_change_reaches_a_subscribed_tab_within_one_interval(services, project):
    estimator, created = project
    ops = await actor(services, "ops@example.com", "ops")
    job = await report_job(services, estimator, created.project_id)
    feed = JobFeed(services.jobs, worker_max_age_seconds=18, interval=1.0)
    got: list[FeedSnapshot] = []
    try:
        feed.subscribe(JobQuery(), got.append)
        await eventually(lambda: bool(got), seconds=10, what="the first poll")
        assert got[-1].page is not None and got[-1].page.items[0].status is JobStatus.queued
        await services.jobs.cancel(ops, job.job_id)
        changed = time.monotonic()
        while got[-1].page is None or got[-1].page.items[0].status is not JobStatus.cancelled:
            assert time.monotonic() - changed < 1.5, "the cancel did not reach the tab within a poll"
            await asyncio.sleep(0.05)
    finally:
        await feed.aclose()


async def test_more_lists_than_a_poll_reads_are_read_in_turn(services, project):
    feed = JobFeed(services.jobs, worker_max_age_seconds=18, interval=0.1, max_lists_per_poll=2)
    got: dict[int, list[FeedSnapshot]] = {}
    try:
        for offset in range(6):
            got[offset] = []
            feed.subscribe(JobQuery(offset=offset), got[offset].append)
        # Two lists a poll, ten polls a second: all six are served within a few polls.
        await eventually(lambda: all(got.values()), seconds=10, what="every list to be served")
    finally:
        await feed.aclose()


async def test_the_overview_counts_the_queue_the_live_workers_and_jobs_per_minute(services, project):
    estimator, created = project
    ops = await actor(services, "ops@example.com", "ops")
    first = await report_job(services, estimator, created.project_id)
    await report_job(services, estimator, created.project_id)
    await services.jobs.cancel(ops, first.job_id)
    await services.jobs.heartbeat("host:1", jobs_done=7)

    overview = await services.jobs.overview(worker_max_age_seconds=18)

    assert overview.queue_depth == 1
    assert [(w.name, w.jobs_done) for w in overview.workers] == [("host:1", 7)]
    by_status = {(m.status, m.count) for m in overview.per_minute}
    assert by_status == {(JobStatus.queued, 1), (JobStatus.cancelled, 1)}
    minute = overview.per_minute[0].minute
    assert minute.tzinfo is not None and minute.second == 0
    assert abs((datetime.now(UTC) - minute).total_seconds()) < 120
    # A worker silent for longer than the age is not listed.
    assert (await services.jobs.overview(worker_max_age_seconds=0.0)).workers == []
