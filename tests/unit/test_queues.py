"""Jobs are routed to broker queues by kind, so workers can be given one kind of work."""

from __future__ import annotations

import pytest

from domain.jobs.queues import DEFAULT, QUEUES, parse_queues, queue_for
from domain.jobs.schemas import KINDS, REPORT


def test_the_report_job_goes_to_the_reports_queue_and_every_kind_has_a_queue() -> None:
    assert queue_for(REPORT) == "reports"
    assert all(queue_for(kind) in QUEUES for kind in KINDS)


@pytest.mark.parametrize(
    ("kind", "queue"),
    [
        ("projects.submit", "dispatch"),
        ("projects.pm.dispatch", "dispatch"),
        ("mail.send", "mail"),
        ("projects.notify_manager", "mail"),
        ("projects.mailbox_sync", DEFAULT),  # whole words only: "mailbox" is not "mail"
        ("notifications.email", "mail"),
        ("search.index_project", "indexing"),
        ("search.reindex", "indexing"),
        ("files.thumbnail", DEFAULT),
        ("", DEFAULT),
        (None, DEFAULT),
    ],
)
def test_a_kind_is_routed_by_the_word_that_names_its_work(kind: str | None, queue: str) -> None:
    assert queue_for(kind) == queue


def test_a_queue_list_is_parsed_strictly() -> None:
    assert parse_queues("reports, mail,reports") == ("reports", "mail")
    assert parse_queues("all") == QUEUES == parse_queues("")
    with pytest.raises(ValueError, match="unknown queue.*emails.*known: reports"):
        parse_queues("reports,emails")


def test_the_worker_command_refuses_an_unknown_queue(capsys: pytest.CaptureFixture[str]) -> None:
    from app import parse

    assert parse(["worker", "--queues", "mail,dispatch"]).queues == "mail,dispatch"
    with pytest.raises(SystemExit) as exit_info:
        parse(["worker", "--queues", "pdf"])
    assert exit_info.value.code == 2 and "unknown queue(s) pdf" in capsys.readouterr().err
