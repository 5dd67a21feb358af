"""The worker's retry policy and limits: pure, checked without a broker."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from infra.settings import Settings
from workers.celery_app import attempt_of, retry_delay


def test_retry_delays_grow_exponentially_and_stop_at_the_cap() -> None:
    """Ceilings 1, 2, 4, 8, 16, 32, then the 60 s cap: the largest draw sits just under each."""

    class Top:
        @staticmethod
        def uniform(low: float, high: float) -> float:
            return high

    assert [retry_delay(a, cap_seconds=60, rng=Top) for a in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_retry_delays_are_jittered_between_zero_and_the_ceiling() -> None:
    rng = random.Random(7)
    draws = [retry_delay(4, cap_seconds=60, rng=rng) for _ in range(200)]
    assert all(0 <= d <= 8 for d in draws)
    assert len({round(d, 6) for d in draws}) > 150, "spread out, not one fixed delay"


@pytest.mark.parametrize(
    ("task_id", "attempt"),
    [("7f1c:1", 1), ("7f1c:3", 3), ("7f1c", 1), (None, 1), ("7f1c:x", 1), ("7f1c:0", 1)],
)
def test_the_attempt_comes_from_the_task_id(task_id: str | None, attempt: int) -> None:
    assert attempt_of(task_id) == attempt


def test_the_visibility_timeout_must_outlast_the_hard_limit_which_must_outlast_the_soft_one() -> None:
    with pytest.raises(ValidationError, match="job_hard_time_limit_seconds must be greater"):
        Settings(job_soft_time_limit_seconds=100, job_hard_time_limit_seconds=100)
    with pytest.raises(ValidationError, match="broker_visibility_timeout_seconds must be greater"):
        Settings(job_hard_time_limit_seconds=600, broker_visibility_timeout_seconds=300)
    ok = Settings(job_soft_time_limit_seconds=30, job_hard_time_limit_seconds=40)
    assert ok.broker_visibility_timeout_seconds > ok.job_hard_time_limit_seconds
