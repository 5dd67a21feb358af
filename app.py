"""SignX Studio: composition root and command line.

    python app.py [serve [--host H] [--port P]]   the dashboard, API, /metrics, /health, /ready
    python app.py worker [--queues Q,...]          a Celery worker for the background jobs
    python app.py migrate                          apply database migrations
    python app.py backup DIR                       dump the database and copy the blobs into DIR
    python app.py restore DIR [--force]            restore a backup (refuses existing data unless --force)
    python app.py relay                            the outbox relay on its own
    python app.py search reindex                   rebuild the OpenSearch index, swap it in
    python app.py user add EMAIL --role ROLE       create a user (prints password + API key once)
    python app.py user passwd EMAIL                set a user's password (read from stdin)
    python app.py calc KIND [FILE|-]               run a structural calculation, print the JSON envelope

Settings come from SIGNX_* environment variables (infra/settings.py). Without
SIGNX_DATABASE_URL / SIGNX_REDIS_URL an embedded PostgreSQL / Redis is started under
SIGNX_DATA_DIR and stopped again on exit (Ctrl-C or SIGTERM). ``serve`` also starts one
worker process on the same servers and keeps it running (SIGNX_SERVE_WORKER=false turns it off).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from infra.settings import Settings

if TYPE_CHECKING:
    from infra.supervisor import Supervisor

log = logging.getLogger("signx")


def _multiprocess_metrics(directory: Path, *, fresh: bool) -> Path:
    """Make every process of this command (and the workers it starts, which inherit the
    environment) write its metrics under ``directory`` (prometheus_client's multiprocess mode).
    Must run before ``prometheus_client`` is first imported. ``fresh`` empties it first: the
    files of an earlier run's processes would otherwise be added to this run's."""
    import shutil

    if "prometheus_client" in sys.modules:
        log.warning("prometheus_client was imported before the multiprocess dir was set")
    if fresh and directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    return directory


def _terminate(signum: int, _frame: object) -> None:
    # SystemExit unwinds through the finally blocks that stop the embedded servers.
    raise SystemExit(128 + signum)


@contextmanager
def _servers(settings: Settings, *, need_redis: bool) -> Iterator[tuple[str, str | None]]:
    """Database and Redis URLs: the configured servers, or embedded ones started (and stopped) here."""
    from infra.embedded import EmbeddedServers

    embedded = EmbeddedServers(settings.data_dir)
    try:
        database_url = settings.database_url or embedded.start_postgres()
        redis_url = settings.redis_url
        if need_redis and not redis_url:
            redis_url = embedded.start_redis(settings.embedded_redis_port)
        yield database_url, redis_url
    finally:
        embedded.stop()


async def _bootstrap_admin(settings: Settings, database_url: str) -> None:
    """First start on an empty database: create an admin with a generated password, shown once."""
    from bootstrap import user_service
    from infra.db import Database

    db = Database(database_url, pool_size=1, max_overflow=0)
    try:
        users = user_service(settings, db, None)
        if await users.count() == 0:
            creds = await users.create("admin@signx.local", "admin", "Administrator", by="first start")
            print(
                "\n  First start: created user admin@signx.local (role admin)\n"
                f"  password: {creds.password}\n"
                f"  API key:  {creds.api_key}\n"
                "  These are shown once. Change the password with (from this directory; type the new\n"
                "  password and press Enter):\n"
                f"    {passwd_command('admin@signx.local')}\n",
                flush=True,
            )
    finally:
        await db.dispose()


def passwd_command(email: str, *, executable: str | None = None, cwd: Path | None = None) -> str:
    """The ``user passwd`` command line that works as printed, from ``cwd`` (where the server was
    started, so the same ``./var`` data dir): this interpreter (the venv's, not whatever ``python``
    means in the person's shell) and this app.py, relative to ``cwd`` when they are inside it."""
    here = cwd or Path.cwd()

    def shown(path: str) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            relative = absolute.relative_to(here)
        except ValueError:
            return str(absolute)
        # A bare name would be looked up on PATH by the shell: keep a slash in it.
        return str(relative) if relative.parent != Path(".") else f"./{relative}"

    interpreter = shown(executable or sys.executable)
    script = shown(__file__)
    return " ".join(
        shlex.quote(part) for part in (interpreter, script.removeprefix("./"), "user", "passwd", email)
    )


def build_ui(settings: Settings, database_url: str, redis_url: str | None) -> None:
    """Wire services and register pages, API and probes on NiceGUI's app."""
    from nicegui import Client, app

    from bootstrap import install_http, wire

    services, release = wire(settings, database_url, redis_url, ui_clients=lambda: len(Client.instances))
    app.on_startup(services.start)  # the outbox relay, in the server's event loop
    app.on_shutdown(install_http(app, services, settings, redis_url))
    app.on_shutdown(release)

    import pages  # noqa: F401  registers every @ui.page

    pages.register()


def serve(settings: Settings, host: str, port: int) -> int:
    # NiceGUI keeps its per-user session storage in a folder it reads when first imported: put it
    # with the rest of the data instead of the working directory.
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(settings.data_dir / "nicegui"))
    if settings.public_url is None:  # links in e-mails point at the port actually served
        settings = settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
    if settings.redis_url:
        # An external Redis means this may be one of several app processes: browser sessions
        # (app.storage.user) live in that Redis, so a user signed in on one is signed in on all.
        os.environ.setdefault("NICEGUI_REDIS_URL", settings.redis_url)
        os.environ.setdefault("NICEGUI_REDIS_KEY_PREFIX", "signx:nicegui:")
    # The server, its worker and the worker's pool processes: one set of metrics in /metrics.
    _multiprocess_metrics(settings.data_dir / "metrics" / f"serve-{port}", fresh=True)
    from infra import logs, tracing
    from infra.migrate import upgrade

    logs.configure(settings.log_level)
    tracing.configure(settings, "signx-app")  # SIGNX_OTLP_ENDPOINT unset: nothing happens
    if settings.redis_url and not settings.storage_secret:
        log.warning("SIGNX_STORAGE_SECRET is unset: sessions signed here are valid on no other process")
    signal.signal(signal.SIGTERM, _terminate)
    with _servers(settings, need_redis=True) as (database_url, redis_url):
        upgrade(database_url)
        asyncio.run(_bootstrap_admin(settings, database_url))
        build_ui(settings, database_url, redis_url)
        _settle_heap_after_start(settings)
        worker = _supervised_worker(settings, database_url, redis_url) if settings.serve_worker else None
        log.info("serving", extra={"host": host, "port": port})
        print(f"  SignX Studio on http://{host}:{port}  (API docs: /api/docs; Ctrl-C stops)", flush=True)
        try:
            _run_ui(settings, host, port)
        finally:
            if worker is not None:
                worker.stop()  # before the servers it uses stop
            tracing.shutdown()  # sends the spans still queued
    return 0


def _settle_heap_after_start(settings: Settings) -> None:
    """Once the server has started: collect start-up's garbage, then freeze what is left (the
    modules, routes, pages and services) so the garbage collector's full collections no longer
    walk it, and raise the young generation's threshold so fewer collections run at all.

    Measured with ``bench/api.py --gc off freeze freeze+10000 freeze+50000`` (2026-11-30, this
    project's 2-core machine, load average 2-4, four servers driven in turn, 3 rounds of 10 s):
    without either, GET of a project at 8 connections served 366 requests/s with p99 274 ms, and
    16 full collections of 200 ms mean (250-500 ms the longest) stopped every request in flight;
    frozen, 433/s, p99 61 ms, full collections about 4 ms each; frozen with a young threshold of 10,000,
    520/s, p99 55 ms (32 connections: p99 319 -> 179 ms) and no full collection during the run
    (50,000 was no better). A single PATCH connection was 88-113/s in every variant (its time is
    the database's).
    """
    import gc

    from nicegui import app

    from infra.metrics import watch_full_collections

    def settle() -> None:
        if settings.gc_freeze:
            gc.collect()
            gc.freeze()
        watch_full_collections()  # from here: the collections that stop requests
        if settings.gc_young_threshold:
            _, middle, old = gc.get_threshold()
            gc.set_threshold(settings.gc_young_threshold, middle, old)
        log.info(
            "heap settled",
            extra={"gc_frozen": gc.get_freeze_count(), "gc_threshold": list(gc.get_threshold())},
        )

    app.on_startup(settle)


def _supervised_worker(settings: Settings, database_url: str, redis_url: str | None) -> Supervisor:
    """One worker process beside the server, on the same (possibly embedded) servers: their URLs
    go in its environment, so it neither starts nor registers with them (the server alone owns
    and stops them). Restarted when it dies; stopped, and never left behind, with the server."""
    from infra.supervisor import Supervisor

    env = {
        **os.environ,
        "SIGNX_DATA_DIR": str(settings.data_dir),
        "SIGNX_DATABASE_URL": database_url,
        "SIGNX_REDIS_URL": redis_url or "",
        "SIGNX_PUBLIC_URL": settings.link_base(),  # the worker writes the e-mails' links
    }
    supervisor = Supervisor(
        [sys.executable, str(Path(__file__).resolve()), "worker"],
        env=env,
        pidfile=settings.data_dir / "worker.pid",
        name="worker",
        grace_seconds=settings.worker_stop_grace_seconds,
        cwd=Path(__file__).resolve().parent,
    )
    supervisor.start()
    return supervisor


def _run_ui(settings: Settings, host: str, port: int) -> None:
    from nicegui import ui

    from bootstrap import storage_secret

    ui.run(
        host=host,
        port=port,
        title="SignX Studio",
        reload=False,
        show=False,
        language="en-US",  # <html lang>: screen readers pick the voice, axe checks it
        dark=None,  # follow the system's light or dark until a person chooses (the header's button)
        storage_secret=storage_secret(settings),
        # HttpOnly and SameSite=Lax are the session middleware's defaults; Secure behind HTTPS.
        session_middleware_kwargs={"https_only": settings.https, "same_site": "lax"},
        show_welcome_message=False,
        favicon="🪧",
        log_config=None,  # uvicorn's loggers propagate to our JSON handler
        access_log=False,  # RequestMiddleware writes one structured line per request
    )


def worker_command(settings: Settings, queues: str | None = None) -> int:
    """A Celery worker on the configured Redis and database (embedded ones in the data dir when
    unset: those of a server running on it, else its own)."""
    from infra import logs
    from infra.migrate import upgrade
    from infra.supervisor import die_with_parent

    own_metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # else serve's, which shows our metrics
        import tempfile

        own_metrics_dir = _multiprocess_metrics(Path(tempfile.mkdtemp(prefix="signx-metrics-")), fresh=False)
    logs.configure(settings.log_level)
    supervisor_pid = os.environ.pop("SIGNX_SUPERVISOR_PID", "")
    if supervisor_pid.isdigit():
        die_with_parent(int(supervisor_pid))
    signal.signal(signal.SIGTERM, _terminate)  # until Celery installs its own (warm shutdown)
    with _servers(settings, need_redis=True) as (database_url, redis_url):
        assert redis_url is not None
        upgrade(database_url)  # a no-op beside a server, which migrated first
        from workers import celery_app, root

        root.configure(settings, database_url, redis_url)
        app = celery_app.configure(settings, redis_url)
        if settings.worker_metrics_port:
            _serve_worker_metrics(settings.host, settings.worker_metrics_port)
        from domain.jobs.queues import parse_queues

        consumed = parse_queues(queues if queues is not None else settings.worker_queues)
        log.info("worker consumes", extra={"queues": list(consumed)})
        worker = app.Worker(
            hostname=f"signx-{os.getpid()}@{socket.gethostname()}",
            queues=list(consumed),
            pool="prefork",
            concurrency=settings.worker_concurrency,
            loglevel=settings.log_level,
            without_gossip=True,
            without_mingle=True,
            without_heartbeat=True,
            optimization="fair",
            quiet=True,  # no banner: the log lines say what runs
        )
        try:
            worker.start()
        finally:
            if own_metrics_dir is not None:
                import shutil

                shutil.rmtree(own_metrics_dir, ignore_errors=True)
        return int(worker.exitcode or 0)


def _serve_worker_metrics(host: str, port: int) -> None:
    """The worker's metrics (its pool processes' included) over HTTP, for Prometheus; a thread
    of the worker's main process."""
    from prometheus_client import start_http_server

    from infra.metrics import process_registry

    start_http_server(port, addr=host, registry=process_registry())
    log.info("worker metrics served", extra={"host": host, "port": port})


def migrate(settings: Settings) -> int:
    from infra.migrate import upgrade

    with _servers(settings, need_redis=False) as (database_url, _):
        upgrade(database_url)
    print("database is at the newest schema")
    return 0


def backup_command(settings: Settings, target: str) -> int:
    """A consistent backup while the server may be running (see infra/backup.py)."""
    from bootstrap import blob_root
    from infra import logs
    from infra.backup import BackupError, backup

    logs.configure(settings.log_level)
    with _servers(settings, need_redis=False) as (database_url, _):
        try:
            manifest = backup(
                database_url,
                blob_root(settings),
                Path(target),
                code_version=settings.code_version,
                pg_bin=settings.pg_bin_dir,
            )
        except BackupError as exc:
            print(f"backup failed: {exc}", file=sys.stderr)
            return 2
    print(
        f"backup in {Path(target).resolve()}: database {manifest['database']['bytes']} bytes "
        f"(schema {manifest['schema_revision']}), {manifest['blobs']['count']} blobs"
    )
    return 0


def restore_command(settings: Settings, source: str, *, force: bool) -> int:
    """Restore a backup, then bring the schema to this version's head."""
    from bootstrap import blob_root
    from infra import logs
    from infra.backup import BackupError, restore
    from infra.migrate import upgrade

    logs.configure(settings.log_level)
    with _servers(settings, need_redis=False) as (database_url, _):
        try:
            manifest = restore(
                Path(source), database_url, blob_root(settings), force=force, pg_bin=settings.pg_bin_dir
            )
        except BackupError as exc:
            print(f"restore refused: {exc}", file=sys.stderr)
            return 2
        upgrade(database_url)
    print(
        f"restored {Path(source).resolve()} (made {manifest['created_at']}): "
        f"{manifest['blobs']['count']} blobs; database at the newest schema"
    )
    return 0


def user_command(settings: Settings, args: argparse.Namespace) -> int:
    from bootstrap import user_service
    from domain.errors import DomainError
    from infra.db import Database
    from infra.migrate import upgrade

    async def run(database_url: str) -> int:
        db = Database(database_url, pool_size=1, max_overflow=0)
        users = user_service(settings, db, None)
        try:
            if args.user_cmd == "add":
                creds = await users.create(args.email, args.role, args.name or "")
                if args.json:
                    print(json.dumps(creds.model_dump()))
                else:
                    print(f"created {creds.email} ({creds.role})")
                    print(f"password: {creds.password}\nAPI key:  {creds.api_key}")
                    print("Both are shown only now.")
            elif args.user_cmd == "passwd":
                password = sys.stdin.readline().rstrip("\n")
                await users.set_password(args.email, password)
                print(f"password changed for {args.email}")
            elif args.user_cmd == "list":
                for u in await users.list():
                    print(f"{u.email}\t{u.role}\t{'active' if u.is_active else 'inactive'}")
            return 0
        except DomainError as exc:
            print(
                json.dumps({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}),
                file=sys.stderr,
            )
            return 2
        finally:
            await db.dispose()

    with _servers(settings, need_redis=False) as (database_url, _):
        upgrade(database_url)
        return asyncio.run(run(database_url))


def relay(settings: Settings) -> int:
    """The outbox relay on its own (with SIGNX_RELAY_IN_SERVER=false on the web servers, or beside
    them: relays never publish a row twice at once). Stops on SIGTERM or Ctrl-C."""
    from infra import logs, tracing
    from infra.celery_queue import CeleryJobQueue
    from infra.db import Database
    from infra.migrate import upgrade
    from infra.relay import OutboxRelay

    logs.configure(settings.log_level)
    tracing.configure(settings, "signx-relay")

    async def run(database_url: str, redis_url: str) -> None:
        from bootstrap import search_backend, search_deliveries
        from domain.search.service import SearchService
        from infra.uow import SqlUnitOfWork

        db = Database(database_url, pool_size=3, max_overflow=0)
        queue = CeleryJobQueue(redis_url)
        relays = [OutboxRelay(db, queue, sweep_seconds=settings.relay_sweep_seconds)]
        uow = SqlUnitOfWork(db)
        index, release_search = search_backend(settings, uow)
        if settings.opensearch_url:  # search indexing too, on a relay of its own
            deliver = search_deliveries(SearchService(uow, index))
            relays.append(OutboxRelay(db, deliver=deliver, sweep_seconds=settings.relay_sweep_seconds))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        for outbox in relays:
            await outbox.start()
        log.info("outbox relay running")
        try:
            await stop.wait()
        finally:
            for outbox in relays:
                await outbox.stop()
            await queue.aclose()
            await release_search()
            await db.dispose()

    try:
        with _servers(settings, need_redis=True) as (database_url, redis_url):
            upgrade(database_url)
            assert redis_url is not None
            asyncio.run(run(database_url, redis_url))
    finally:
        tracing.shutdown()
    return 0


def search_command(settings: Settings, args: argparse.Namespace) -> int:
    """``search reindex``: build a new OpenSearch index from every project, swap the alias to it in
    one step, delete the old one, then re-send what changed meanwhile. Searches keep answering
    from the old index until the swap."""
    from bootstrap import search_backend
    from domain.search.service import SearchService
    from infra.db import Database
    from infra.migrate import upgrade
    from infra.uow import SqlUnitOfWork

    if not settings.opensearch_url:
        print(
            "SIGNX_OPENSEARCH_URL is not set: search runs on PostgreSQL, which has no index to rebuild.",
            file=sys.stderr,
        )
        return 2

    async def run(database_url: str) -> int:
        db = Database(database_url, pool_size=2, max_overflow=0)
        uow = SqlUnitOfWork(db)
        index, release = search_backend(settings, uow)
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - last[0] >= 1.0:  # about a line a second
                last[0] = now
                share = 100 * done // total if total else 100
                print(f"indexed {done:,} of {total:,} projects ({share} %)", flush=True)

        try:
            total = await SearchService(uow, index).reindex(progress)
        except Exception as exc:  # noqa: BLE001 - said to the operator; the old index still answers
            print(
                f"reindex failed, the old index still answers: {type(exc).__name__}: {exc}", file=sys.stderr
            )
            return 1
        finally:
            await release()
            await db.dispose()
        elapsed = time.monotonic() - started
        print(f"done: {total:,} projects behind {settings.opensearch_index!r} in {elapsed:.1f} s", flush=True)
        return 0

    with _servers(settings, need_redis=False) as (database_url, _):
        upgrade(database_url)
        return asyncio.run(run(database_url))


def calc_command(kind: str, source: str) -> int:
    from domain.engineering import CalcInputError, calculate

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        print(json.dumps({"error": {"code": "unreadable_input", "message": str(exc), "fields": []}}))
        return 2
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        print(
            json.dumps(
                {"error": {"code": "invalid_json", "message": f"Input is not JSON: {exc}", "fields": []}}
            )
        )
        return 2
    try:
        result = calculate(kind, payload)
    except CalcInputError as exc:
        print(
            json.dumps(
                {"error": {"code": "invalid_input", "message": str(exc), "fields": exc.errors}}, indent=2
            )
        )
        return 2
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


def _queues_arg(text: str) -> str:
    from domain.jobs.queues import parse_queues

    try:
        parse_queues(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="app.py", description="SignX Studio")
    sub = parser.add_subparsers(dest="command")
    p_serve = sub.add_parser("serve", help="run the dashboard and API (default)")
    p_serve.add_argument("--host")
    p_serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply database migrations")
    p_backup = sub.add_parser("backup", help="dump the database and copy the blobs into a new folder")
    p_backup.add_argument("dir")
    p_restore = sub.add_parser("restore", help="restore a backup folder into the database and data dir")
    p_restore.add_argument("dir")
    p_restore.add_argument("--force", action="store_true", help="replace existing data")
    p_worker = sub.add_parser("worker", help="run a Celery worker for the background jobs")
    p_worker.add_argument(
        "--queues",
        type=_queues_arg,
        help="comma-separated queues to consume: reports, dispatch, mail, indexing, celery, or all "
        "(default: SIGNX_WORKER_QUEUES)",
    )
    sub.add_parser("relay", help="run the outbox relay on its own (publishes jobs to the queue)")
    p_user = sub.add_parser("user", help="manage users")
    user_sub = p_user.add_subparsers(dest="user_cmd", required=True)
    p_add = user_sub.add_parser("add", help="create a user; prints a generated password and API key once")
    p_add.add_argument("email")
    p_add.add_argument("--role", required=True, choices=["estimator", "manager", "ops", "admin"])
    p_add.add_argument("--name")
    p_add.add_argument("--json", action="store_true", help="print one JSON object")
    p_pw = user_sub.add_parser("passwd", help="set a password, read from the first line of stdin")
    p_pw.add_argument("email")
    user_sub.add_parser("list", help="list users")
    p_search = sub.add_parser("search", help="search engine upkeep (OpenSearch)")
    search_sub = p_search.add_subparsers(dest="search_cmd", required=True)
    search_sub.add_parser("reindex", help="rebuild the OpenSearch index from every project and swap it in")
    p_calc = sub.add_parser("calc", help="run a calculation: wind, embedment, pole or sign")
    p_calc.add_argument("kind")
    p_calc.add_argument("file", nargs="?", default="-", help="input JSON file, or - for stdin")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.command == "calc":
        return calc_command(args.kind, args.file)
    settings = Settings()
    if args.command == "migrate":
        return migrate(settings)
    if args.command == "backup":
        return backup_command(settings, args.dir)
    if args.command == "restore":
        return restore_command(settings, args.dir, force=args.force)
    if args.command == "worker":
        return worker_command(settings, args.queues)
    if args.command == "user":
        return user_command(settings, args)
    if args.command == "relay":
        return relay(settings)
    if args.command == "search":
        return search_command(settings, args)
    host = getattr(args, "host", None) or settings.host
    port = getattr(args, "port", None) or settings.port
    return serve(settings, host, port)


if __name__ in {"__main__", "__mp_main__"}:
    if os.environ.get("NICEGUI_USER_SIMULATION"):
        # NiceGUI's `user` test fixture runs this file: the test session has started the
        # servers and put their URLs in the environment.
        from nicegui import ui

        _settings = Settings()
        build_ui(_settings, _settings.database_url or "", _settings.redis_url)
        ui.run(storage_secret="test-session-secret", title="SignX Studio", language="en-US", dark=None)
    elif __name__ == "__main__":
        sys.exit(main())
