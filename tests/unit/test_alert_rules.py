"""The alert rules and dashboards in ops/ work on the metrics the app exports.

``promtool test rules`` (Debian's prometheus package; ``.ci/run`` installs it) evaluates every
alert against series that cross its threshold and series that stay below. Without promtool the
rules are still parsed here, and every metric name an alert or a dashboard panel reads must be
one the app or its workers export (the origin system alerted on names nothing exported).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from domain.jobs.queues import QUEUES
from domain.operations.schemas import OperationsSnapshot, QueueState
from infra.metrics import REGISTRY
from infra.ops_metrics import ScrapeMetrics

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "ops" / "prometheus"
DASHBOARDS = ROOT / "ops" / "grafana" / "dashboards"
# Our metric names, and Prometheus's own ``up`` (a target answers its scrape).
METRIC = re.compile(r"\b((?:signx|process)_[a-z0-9_]+|up(?=\{))\b")

REQUIRED_ALERTS = {
    "SignxNoWorkerAlive",
    "SignxQueuedJobTooOld",
    "SignxHighErrorRate",
    "SignxSlowRequests",
    "SignxDatabaseDown",
    "SignxRedisDown",
    "SignxBreakerOpen",
    "SignxOutboxLag",
    "SignxDataDiskFull",
}


def rules() -> list[dict[str, object]]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_exprs() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        found[board["uid"]] = [t["expr"] for panel in board["panels"] for t in panel["targets"]]
    return found


async def exported_names() -> set[str]:
    """Every sample name the app's /metrics and a worker's can carry."""
    names: set[str] = {"up"}
    for family in REGISTRY.collect():
        suffixes = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_count", "_sum", "_created"]}
        names.add(family.name)
        names.update(family.name + suffix for suffix in suffixes.get(family.type, []))

    async def answers() -> None:
        return None

    async def snapshot() -> OperationsSnapshot:
        return OperationsSnapshot(
            jobs={("projects.report.generate", "queued"): 1},
            queues={q: QueueState(waiting=0, oldest_queued_seconds=0) for q in QUEUES},
            workers_alive=1,
            last_heartbeat_seconds=1.0,
            outbox_pending=0,
            outbox_lag_seconds=0,
            projects={"draft": 1},
        )

    class Pool:
        def checkedout(self) -> int:
            return 1

        def checkedin(self) -> int:
            return 2

    scrape = ScrapeMetrics(
        snapshot=snapshot, readiness={"database": answers}, pool=Pool(), pool_capacity=30, data_dir=ROOT
    )
    for family in await scrape.families():
        names.update(sample.name for sample in family.samples)
    return names


def test_every_required_alert_has_a_threshold_a_duration_and_a_runbook() -> None:
    by_name = {rule["alert"]: rule for rule in rules()}
    assert by_name.keys() >= REQUIRED_ALERTS
    for name, rule in by_name.items():
        annotations = rule["annotations"]
        assert isinstance(annotations, dict)
        assert annotations.get("summary") and annotations.get("runbook"), name
        assert re.search(r"[<>=]=?\s*[\d.]+", str(rule["expr"])), f"{name} has no threshold"
        assert rule.get("for"), f"{name} fires on a single sample"


async def test_alerts_and_dashboards_read_only_metrics_the_app_exports() -> None:
    exported = await exported_names()
    assert {"signx_workers_alive", "signx_http_requests_total", "signx_breaker_state"} <= exported
    used = {str(rule["alert"]): set(METRIC.findall(str(rule["expr"]))) for rule in rules()}
    used |= {
        uid: {name for e in exprs for name in METRIC.findall(e)} for uid, exprs in dashboard_exprs().items()
    }
    assert all(used.values()), "every rule and dashboard reads some metric"
    unknown = {where: sorted(names - exported) for where, names in used.items() if names - exported}
    assert not unknown, f"metrics nothing exports: {unknown}"


def test_the_dashboards_cover_overview_jobs_and_business() -> None:
    boards = {path.stem: json.loads(path.read_text()) for path in DASHBOARDS.glob("*.json")}
    assert {"overview", "jobs", "business"} <= boards.keys()
    titles = {stem: " | ".join(p["title"] for p in board["panels"]).lower() for stem, board in boards.items()}
    for word in ("requests per second", "p50 / p95 / p99", "errors", "saturation"):
        assert word in titles["overview"]
    for word in ("throughput", "failures", "queue depth", "oldest queued", "workers"):
        assert word in titles["jobs"]
    for word in ("projects by status", "designs saved", "reports rendered", "submissions"):
        assert word in titles["business"]
    for board in boards.values():
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "signx-prometheus"
    datasource = yaml.safe_load((ROOT / "ops/grafana/provisioning/datasources/prometheus.yml").read_text())
    assert datasource["datasources"][0]["uid"] == "signx-prometheus"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (Debian: prometheus)")
def test_promtool_checks_the_config_and_runs_the_rule_tests(tmp_path: Path) -> None:
    checked = subprocess.run(
        ["promtool", "check", "rules", "alerts.yml"],
        cwd=PROMETHEUS,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        ["promtool", "test", "rules", "alerts.test.yml"],
        cwd=PROMETHEUS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    # The rule tests can fail: a rule whose threshold moved is caught.
    (tmp_path / "alerts.yml").write_text((PROMETHEUS / "alerts.yml").read_text().replace("> 300", "> 3000"))
    shutil.copy(PROMETHEUS / "alerts.test.yml", tmp_path)
    moved = subprocess.run(
        ["promtool", "test", "rules", "alerts.test.yml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert moved.returncode != 0 and "SignxQueuedJobTooOld" in moved.stdout + moved.stderr
    # The scrape config parses (its secret file only exists in a deployment).
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    assert {job["job_name"] for job in config["scrape_configs"]} >= {"signx-app", "signx-worker"}
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
