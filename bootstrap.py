"""The composition root's wiring: builds the services from settings and installs the HTTP
surface (middleware, the API behind its guard, probes) on an app.

The only module that knows every layer: domain services, the API, the pages' app and the infra
adapters meet here and nowhere else (infra implements ports and never imports the API). Kept
beside app.py rather than in it so tests and the CLI can compose without running the server;
app.py stays the one place that decides what runs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

import redis.asyncio as aioredis
from fastapi import FastAPI
from starlette.routing import Mount

from api.app import build_api
from api.envelope import error_renderer
from api.system import add_system_routes
from domain.designs.service import DesignService, leave_draft_reasons
from domain.idempotency.service import IdempotencyService
from domain.jobs.feed import JobFeed
from domain.jobs.service import JobService
from domain.operations.service import OperationsService
from domain.projects.service import ProjectService
from domain.reports.service import ReportService
from domain.search.postgres import PostgresSearch
from domain.search.service import SearchService
from domain.services import Services
from domain.users.service import UserService
from infra.api_guard import ApiGuard, GuardPolicy, RedisRateLimits
from infra.blobs import LocalBlobStore
from infra.celery_queue import CeleryJobQueue
from infra.db import Database
from infra.http_headers import SecurityHeaders
from infra.metrics import (
    CALCULATIONS,
    ETAG_CONFLICTS,
    LOGIN_ATTEMPTS,
    PROJECT_MUTATIONS,
    RATE_LIMIT_HITS,
    RequestMiddleware,
)
from infra.ops_metrics import ScrapeMetrics
from infra.passwords import Argon2Hasher
from infra.relay import OutboxRelay
from infra.settings import Settings
from infra.throttle import RedisFailureLimiter
from infra.uow import SqlUnitOfWork


def _observe_project(outcome: str) -> None:
    if outcome == "stale_etag":
        ETAG_CONFLICTS.inc()
    else:
        PROJECT_MUTATIONS.labels(outcome).inc()


def password_hasher(settings: Settings) -> Argon2Hasher:
    return Argon2Hasher(
        time_cost=settings.password_time_cost,
        memory_kib=settings.password_memory_kib,
        parallelism=settings.password_parallelism,
    )


def user_service(settings: Settings, db: Database, redis_url: str | None) -> UserService:
    """Without Redis (the command line) there is no login throttling: the CLI logs nobody in."""
    uow = SqlUnitOfWork(db)
    if not redis_url:
        return UserService(uow, password_hasher(settings))
    return UserService(
        uow,
        password_hasher(settings),
        per_address=RedisFailureLimiter(
            redis_url,
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
            namespace="login",
        ),
        per_account=RedisFailureLimiter(
            redis_url,
            max_failures=settings.login_account_max_failures,
            window_seconds=settings.login_account_window_seconds,
            namespace="login-account",
        ),
        observe=lambda outcome: LOGIN_ATTEMPTS.labels(outcome).inc(),
    )


Release = Callable[[], Awaitable[None]]


def wire(settings: Settings, database_url: str, redis_url: str | None) -> tuple[Services, Release]:
    """The services on these servers, and the one coroutine function that releases every
    connection they hold (database pool, the login limiters' Redis pools)."""
    db = Database(database_url)
    readiness: dict[str, Callable[[], Awaitable[None]]] = {"database": db.ping}
    if redis_url:

        async def redis_ping() -> None:
            client = aioredis.from_url(redis_url, socket_timeout=2)
            try:
                await client.ping()
            finally:
                await client.aclose()

        readiness["redis"] = redis_ping
    # Leaving draft needs a saved design whose checks all pass (read in the transition's transaction).
    relay: OutboxRelay | None = None
    queue: CeleryJobQueue | None = None
    if redis_url:
        queue = CeleryJobQueue(redis_url)
        relay = OutboxRelay(db, queue, sweep_seconds=settings.relay_sweep_seconds)
        # After a commit the relay of this process is woken at once; NOTIFY wakes any other.
        uow = SqlUnitOfWork(db, after_commit=relay.wake)
    else:
        uow = SqlUnitOfWork(db)
    idempotency = IdempotencyService(uow)
    projects = ProjectService(
        uow, idempotency=idempotency, leave_draft_guard=leave_draft_reasons, observe=_observe_project
    )
    designs = DesignService(uow, projects)
    users = user_service(settings, db, redis_url)
    jobs = JobService(uow, designs=designs, idempotency=idempotency)
    # A worker is taken for dead after the silence the workers themselves allow it.
    worker_max_age_seconds = 3 * settings.worker_heartbeat_seconds + 3
    scrape = ScrapeMetrics(
        snapshot=OperationsService(uow, worker_max_age_seconds=worker_max_age_seconds).snapshot,
        readiness=readiness,
        pool=db.engine.pool,
        pool_capacity=db.pool_capacity,
        data_dir=Path(settings.data_dir),
        code_version=settings.code_version,
    )
    services = Services(
        projects=projects,
        designs=designs,
        jobs=jobs,
        users=users,
        search=SearchService(uow, PostgresSearch(uow)),
        idempotency=idempotency,
        # PDFs under the data dir (content-addressed: <data_dir>/blobs/reports/<sha256>.pdf).
        reports=ReportService(uow, projects, designs, LocalBlobStore(blob_root(settings)), users),
        readiness=readiness,
        code_version=settings.code_version,
        observe_calculation=lambda kind, outcome: CALCULATIONS.labels(kind, outcome).inc(),
        metrics_exposition=scrape.exposition,
        job_feed=JobFeed(jobs, worker_max_age_seconds=worker_max_age_seconds),
    )

    if relay is not None and settings.relay_in_server:
        services.start = relay.start

    async def release() -> None:
        if services.job_feed is not None:
            await services.job_feed.aclose()
        if relay is not None:
            await relay.stop()
        if queue is not None:
            await queue.aclose()
        await services.users.aclose()
        await db.dispose()

    return services, release


def install_http(
    app: FastAPI, services: Services, settings: Settings | None = None, redis_url: str | None = None
) -> Release:
    """Request middleware, the /api mount (behind its guard) and the probes, on the page app (or
    a bare one in tests). Settings default to the environment's, Redis to the configured one.
    Returns the coroutine function that releases what the guard holds (its Redis connections)."""
    settings = settings or Settings()
    redis_url = redis_url or settings.redis_url
    app.state.services = services
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.add_middleware(RequestMiddleware)
    # A previous composition (tests run app.py again per test) may have mounted an older API.
    app.router.routes[:] = [
        r
        for r in app.router.routes
        if getattr(r, "path", None) not in ("/api", "/health", "/ready", "/metrics")
    ]
    guard = api_guard(build_api(services), services, settings, redis_url)
    app.mount("/api", guard)
    # Starlette matches a mount's remaining path with ``.*``, which stops at a newline: a path
    # with an encoded line break (``/api/v1/jobs/%0A/cancel``) would miss the API and get the page
    # app's bare 404 instead of the API's error envelope.
    for route in app.router.routes:
        if isinstance(route, Mount) and route.path == "/api":
            route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    add_system_routes(app, services, metrics_token=token)
    return guard.aclose


def api_guard(api: FastAPI, services: Services, settings: Settings, redis_url: str | None) -> ApiGuard:
    policy = GuardPolicy(
        max_body_bytes=settings.max_body_bytes,
        per_key=settings.api_rate_per_key,
        per_address=settings.api_rate_per_address,
        key_failures_per_address=settings.api_key_failures_per_address,
    )
    return ApiGuard(
        api,
        authenticate=services.users.authenticate_api_key,
        render_error=error_renderer(services.code_version),
        policy=policy,
        limits=RedisRateLimits(redis_url, policy) if redis_url else None,
        observe_limited=lambda limit: RATE_LIMIT_HITS.labels(limit).inc(),
    )


def blob_root(settings: Settings) -> Path:
    """The local blob store's folder (what ``python app.py backup`` copies)."""
    return Path(settings.data_dir) / "blobs"


def storage_secret(settings: Settings) -> str:
    """The browser-session signing secret: from settings, else generated once per data dir."""
    if settings.storage_secret:
        return settings.storage_secret
    path = Path(settings.data_dir) / "storage_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()
