"""Metrics written by several processes add up in one exposition (prometheus_client's
multiprocess mode, as ``serve``, its worker and the worker's pool processes use it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, directory: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_counters_of_separate_processes_add_up_and_a_breaker_shows_its_worst_state(tmp_path: Path) -> None:
    writer = (
        "from infra.metrics import LOGIN_ATTEMPTS, BREAKER_STATE\n"
        "LOGIN_ATTEMPTS.labels('failure').inc(3)\n"
        "BREAKER_STATE.labels('pm').set({state})\n"
    )
    # Each run is a process of its own (its own pid's files); the reader adds them up.
    run(writer.format(state=2), tmp_path)
    run(writer.format(state=0), tmp_path)
    body = run("from infra.metrics import exposition; print(exposition()[0].decode())", tmp_path)
    got = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }
    assert got[("signx_login_attempts_total", (("outcome", "failure"),))] == 6
    # livemax: the highest state of the processes not marked dead.
    assert got[("signx_breaker_state", (("name", "pm"),))] == 2
    # Without the multiprocess dir a process sees only its own samples.
    alone = subprocess.run(
        [sys.executable, "-c", "from infra.metrics import exposition; print(exposition()[0].decode())"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert 'signx_login_attempts_total{outcome="failure"}' not in alone
