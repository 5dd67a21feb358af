"""The embedded servers stop when asked, even with clients still connected, and start-up
recovers from the leftovers of a killed run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psutil
import redis

from infra.embedded import EmbeddedServers, prune_stale_handles


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
