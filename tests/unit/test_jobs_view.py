"""The job monitor's URL state and how jobs, workers and the per-minute counts read on screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.jobs.schemas import JobListed, JobStatus, MinuteCount, WorkerOut
from pages.jobs_view import JobsView, ago, duration, job_row, per_minute_figure, worker_row
from pages.local_time import zone_named

PROJECT = "8a1f3c2e-1111-4222-8333-944455556666"
NOW = datetime(2025, 3, 10, 18, 30, 45, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def job(**kw) -> JobListed:
    base = {
        "job_id": "0f0e0d0c-0000-4000-8000-000000000001",
        "kind": "projects.report.generate",
        "status": JobStatus.running,
        "progress": 40,
        "message": "Drawing",
        "attempts": 2,
        "error": None,
        "project_id": PROJECT,
        "project_name": "Main St Pylon",
        "revision": 3,
        "created_at": NOW - timedelta(minutes=2),
        "started_at": NOW - timedelta(seconds=75),
        "finished_at": None,
        "result": None,
        "worker": "host:42",
        "requested_by": None,
    }
    return JobListed(**(base | kw))


def test_a_hand_edited_link_shows_the_default_view_for_what_it_cannot_read():
    view = JobsView.from_query(
        {"kind": "evil", "status": "exploded", "project": "../etc", "page": "9" * 30, "per_page": "7"}
    )
    assert (view.kind, view.status, view.project, view.per_page) == ("", "", "", 25)
    assert view.page == 100_000 // 25 + 1  # clamped to what the service serves
    assert JobsView.from_query({}).url() == "/jobs"


def test_the_view_round_trips_through_the_url_and_becomes_the_service_query():
    view = JobsView(kind="projects.report.generate", status="failed", project=PROJECT, page=3, per_page=10)
    assert JobsView.from_query(dict(p.split("=") for p in view.query_string().split("&"))) == view
    query = view.service_query()
    assert (query.status, query.project_id, query.limit, query.offset) == (JobStatus.failed, PROJECT, 10, 20)
    # A new page size starts at page 1; another page keeps the size.
    assert view.with_pagination({"page": 3, "rowsPerPage": 50}).page == 1
    assert view.with_pagination({"page": 4, "rowsPerPage": 10}).page == 4


def test_durations_and_ages_read_like_a_person_says_them():
    assert [duration(s) for s in (0.42, 12, 185, 7440)] == ["0.4 s", "12 s", "3 min 05 s", "2 h 04 min"]
    assert ago(NOW, NOW) == "just now"
    assert ago(NOW - timedelta(seconds=4), NOW) == "4 s ago"
    assert ago(NOW - timedelta(minutes=5), NOW) == "5 min ago"


def test_a_running_jobs_row_counts_its_time_so_far_and_offers_cancel_only_to_ops():
    row = job_row(job(), now=NOW, zone=CHICAGO, may_manage=True)
    assert row["duration"] == "1 min 15 s"
    # 18:28:45 UTC is 13:28:45 in Chicago on 10 March 2025 (CDT, UTC-5, from 9 March).
    assert row["created"] == "2025-03-10 13:28:45"
    assert (row["project"], row["project_href"]) == ("Main St Pylon", f"/projects/{PROJECT}")
    assert row["can_cancel"] and not row["can_retry"]
    assert not job_row(job(), now=NOW, zone=CHICAGO, may_manage=False)["can_cancel"]
    failed = job_row(
        job(status=JobStatus.failed, error="boom", finished_at=NOW), now=NOW, zone=CHICAGO, may_manage=True
    )
    assert failed["can_retry"] and not failed["can_cancel"] and failed["error"] == "boom"


def test_a_worker_row_shows_its_last_heartbeat_in_local_time_and_how_long_ago():
    worker = WorkerOut(name="host:42", started_at=NOW, last_seen_at=NOW - timedelta(seconds=3), jobs_done=9)
    assert worker_row(worker, now=NOW, zone=CHICAGO) == {
        "name": "host:42",
        "last_seen": "2025-03-10 13:30:42",
        "ago": "3 s ago",
        "jobs_done": 9,
        "since": "2025-03-10 13:30",
    }


def test_the_chart_has_a_slot_for_every_minute_of_the_hour_and_stacks_by_status():
    minute = NOW.replace(second=0, microsecond=0)
    counts = [
        MinuteCount(minute=minute, status=JobStatus.succeeded, count=3),
        MinuteCount(minute=minute - timedelta(minutes=2), status=JobStatus.failed, count=1),
        MinuteCount(minute=minute, status=JobStatus.failed, count=2),
    ]
    figure = per_minute_figure(counts, now=NOW, zone=CHICAGO)
    succeeded, failed = figure["data"]  # in status order: succeeded before failed
    assert (succeeded["name"], failed["name"]) == ("Succeeded", "Failed")
    assert len(succeeded["x"]) == 60 and succeeded["x"][-1] == "13:30"
    assert succeeded["y"][-1] == 3 and sum(succeeded["y"]) == 3
    assert failed["y"][-1] == 2 and failed["y"][-3] == 1
    assert figure["layout"]["barmode"] == "stack"
    assert figure["layout"]["yaxis"]["dtick"] == 1  # 5 at most: whole-job ticks
    quiet = per_minute_figure([], now=NOW, zone=CHICAGO)
    assert quiet["data"] == [] and quiet["layout"]["annotations"]


def test_an_unknown_or_malformed_browser_zone_falls_back_to_utc():
    assert zone_named("America/Chicago").key == "America/Chicago"
    for bad in (None, "", "Mars/Olympus", "../../etc/passwd", 42, "x" * 100):
        assert zone_named(bad).key == "UTC"
