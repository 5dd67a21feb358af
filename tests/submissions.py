"""Helpers for the submission tests: the dispatch schema and running a job as the worker does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs

from domain.jobs.service import RetryableJobError
from workers.root import handlers

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "docs" / "pm-dispatch.schema.json").read_text())


def schema_errors(payload: dict[str, Any]) -> list[str]:
    """Where ``payload`` breaks docs/pm-dispatch.schema.json (formats checked too)."""
    validator = jsonschema_rs.validator_for(SCHEMA, validate_formats=True)
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(payload)]


async def run(services: Any, job_id: str, *, attempts: int = 5) -> list[str]:
    """Run the job as the worker does, with the worker's real handlers: each RetryableJobError is
    recorded (``mark_retrying``) and the next attempt follows (the delay is the worker's
    business). Returns each attempt's outcome: "retry", or the final "succeeded", "failed"..."""
    outcomes = []
    for attempt in range(1, attempts + 1):
        try:
            outcome = await services.jobs.execute(job_id, worker="test:1", handlers=handlers(services))
        except RetryableJobError as exc:
            outcomes.append("retry")
            await services.jobs.mark_retrying(job_id, f"RetryableJobError: {exc}", attempt)
            continue
        outcomes.append(outcome.value)
        return outcomes
    return outcomes
