"""The embedded servers stop when asked, even with clients still connected, and start-up
recovers from the leftovers of a killed run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
import pytest
import redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from infra.embedded import EmbeddedServers, postgres_settings, prune_stale_handles


def test_stop_ends_redis_even_while_a_client_is_connected(tmp_path):
    servers = EmbeddedServers(tmp_path)
    url = servers.start_redis()
    pid = servers.redis.pid
    client = redis.Redis.from_url(url)
    assert client.ping()
    try:
        servers.stop()
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert not (tmp_path / "redis" / "server.pid").exists()
    finally:
        client.close()


def test_a_redis_orphaned_by_a_killed_process_is_stopped_at_the_next_start(tmp_path):
    code = (
        "import sys; from pathlib import Path; from infra.embedded import EmbeddedServers; "
        "s = EmbeddedServers(Path(sys.argv[1])); s.start_redis(); print(s.redis.pid, flush=True); "
        "import os; os._exit(0)"  # exit without any clean-up, like a SIGKILL
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    orphan = int(done.stdout.strip())
    assert psutil.Process(orphan).name() == "redis-server"

    servers = EmbeddedServers(tmp_path)
    servers.start_redis()
    try:
        assert not psutil.pid_exists(orphan) or psutil.Process(orphan).status() == psutil.STATUS_ZOMBIE
    finally:
        servers.stop()


def test_dead_pids_are_pruned_from_the_postgres_handle_list(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(json.dumps([os.getpid(), dead.pid]))
    assert prune_stale_handles(tmp_path) == [dead.pid]
    assert json.loads(handles.read_text()) == [os.getpid()]


async def test_login_throttle_counts_survive_a_restart_of_the_embedded_redis(tmp_path):
    from infra.throttle import RedisFailureLimiter

    servers = EmbeddedServers(tmp_path)
    try:
        limiter = RedisFailureLimiter(servers.start_redis(), max_failures=2, window_seconds=600)
        assert await limiter.attempt("eve@example.com") and await limiter.attempt("eve@example.com")
        assert not await limiter.attempt("eve@example.com")
        await limiter.aclose()
    finally:
        servers.stop()

    restarted = EmbeddedServers(tmp_path)
    try:
        limiter = RedisFailureLimiter(restarted.start_redis(), max_failures=2, window_seconds=600)
        assert not await limiter.attempt("eve@example.com")  # still locked out after the restart
        assert await limiter.attempt("bob@example.com")
        await limiter.aclose()
    finally:
        restarted.stop()


async def test_the_embedded_postgres_runs_with_settings_sized_for_the_machine(servers):
    """The session's server was started by EmbeddedServers on a fresh data dir: the settings it
    wrote are in force at once (shared_buffers is read only at a start), not at the next start."""
    if os.environ.get("SIGNX_TEST_DATABASE_URL"):
        pytest.skip("an external server keeps its own settings")
    engine = create_async_engine(servers["database_url"])
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT name, pg_size_bytes(current_setting(name)) / 1048576 AS mb "
                    "FROM pg_settings WHERE name = 'shared_buffers'"
                )
            )
            shown = {r.name: f"{r.mb}MB" for r in rows}
    finally:
        await engine.dispose()
    assert shown == postgres_settings()


def test_postgres_settings_take_a_quarter_of_the_memory_within_bounds():
    gb = 2**30
    assert postgres_settings(gb)["shared_buffers"] == "256MB"
    assert postgres_settings(24 * gb)["shared_buffers"] == "2048MB"  # at most 2 GB
    assert postgres_settings(gb // 4)["shared_buffers"] == "128MB"  # at least PostgreSQL's default
