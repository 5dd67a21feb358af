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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from fastapi import FastAPI
from starlette.routing import Mount

from api.app import build_api
from api.envelope import error_renderer
from api.files import UPLOAD_PATH
from api.system import add_system_routes
from domain.designs.service import DesignService, leave_draft_reasons
from domain.files.service import FileService
from domain.idempotency.service import IdempotencyService
from domain.jobs.feed import JobFeed
from domain.jobs.schemas import REPORT
from domain.jobs.service import JobService
from domain.notifications.service import NotificationService
from domain.operations.service import OperationsService
from domain.outbox.models import SEARCH_INDEX
from domain.ports import BlobStore, SearchIndex, UnitOfWork
from domain.projects.service import ProjectService
from domain.reports.service import ReportService
from domain.search.postgres import PostgresSearch
from domain.search.service import SearchService
from domain.services import Services
from domain.submissions.service import SubmissionService
from domain.users.actor_cache import ActorCache
from domain.users.service import UserService
from infra import tracing
from infra.actor_invalidation import RedisActorInvalidation
from infra.api_guard import ApiGuard, GuardPolicy, RedisRateLimits
from infra.blobs import LocalBlobStore
from infra.celery_queue import CeleryJobQueue
from infra.db import Database
from infra.front_door import install_front_door
from infra.http_headers import SecurityHeaders
from infra.mail import mailer
from infra.metrics import (
    CALCULATIONS,
    ETAG_CONFLICTS,
    LOGIN_ATTEMPTS,
    PROJECT_MUTATIONS,
    RATE_LIMIT_HITS,
    SEARCH_FALLBACKS,
    RequestMiddleware,
)
from infra.ops_metrics import ScrapeMetrics
from infra.passwords import Argon2Hasher
from infra.pm_client import pm_client
from infra.relay import Deliver, OutboxRelay
from infra.search.fallback import FallbackSearch
from infra.search.opensearch import OpenSearchIndex
from infra.settings import Settings
from infra.throttle import RedisFailureLimiter
from infra.uow import SqlUnitOfWork

UPLOAD_FORM_ROOM = 256 * 1024


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


def user_service(
    settings: Settings, db: Database, redis_url: str | None, actors: RedisActorInvalidation | None = None
) -> UserService:
    """Without Redis (the command line) there is no login throttling: the CLI logs nobody in, and
    keeps no API-key actors (it could not hear of user changes)."""
    if not redis_url:
        return UserService(SqlUnitOfWork(db), password_hasher(settings))
    uow = SqlUnitOfWork(db, users_changed=actors.users_changed) if actors else SqlUnitOfWork(db)
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
        actors=actors.cache if actors else None,
    )


Release = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


def search_backend(settings: Settings, uow: UnitOfWork) -> tuple[SearchIndex, Release]:
    """PostgreSQL full text; or, with SIGNX_OPENSEARCH_URL, OpenSearch with PostgreSQL behind it
    (a failed search falls back, counted in ``signx_search_fallbacks_total``). With the release of
    its connections."""
    postgres = PostgresSearch(uow)
    if not settings.opensearch_url:
        return postgres, _nothing
    index = FallbackSearch(
        OpenSearchIndex(
            settings.opensearch_url,
            alias=settings.opensearch_index,
            timeout_seconds=settings.opensearch_timeout_seconds,
        ),
        postgres,
        failures=settings.opensearch_breaker_failures,
        reset_seconds=settings.opensearch_breaker_seconds,
        on_fallback=lambda reason: SEARCH_FALLBACKS.labels(reason).inc(),
    )
    return index, index.aclose


def search_deliveries(search: SearchService) -> dict[str, Deliver]:
    """The outbox's ``search.index`` rows, consumed: the project's committed row, read now, upserted
    into (or, when gone, removed from) the search engine's index."""

    async def refresh(payload: Mapping[str, Any]) -> None:
        await search.refresh([str(payload["project_id"])])

    return {SEARCH_INDEX: refresh}


def blob_store(
    settings: Settings, readiness: dict[str, Callable[[], Awaitable[None]]] | None = None
) -> BlobStore:
    """Report PDFs and project files: the S3-compatible bucket when ``SIGNX_S3_ENDPOINT`` is set
    (then also a readiness probe), else the folder ``<data_dir>/blobs``."""
    if not settings.s3_endpoint:
        return LocalBlobStore(Path(settings.data_dir) / "blobs")
    from infra.blobs.s3 import S3BlobStore

    store = S3BlobStore.connect(
        settings.s3_endpoint,
        settings.s3_bucket,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value() if settings.s3_secret_key else None,
        secure=settings.s3_secure,
        region=settings.s3_region,
    )
    if readiness is not None:
        readiness["blobs"] = store.ping
    return store


def wire(
    settings: Settings,
    database_url: str,
    redis_url: str | None,
    *,
    ui_clients: Callable[[], int] | None = None,
) -> tuple[Services, Release]:
    """The services on these servers, and the one coroutine function that releases every
    connection they hold (database pool, the login limiters' Redis pools). ``ui_clients`` counts
    the page clients this process holds, for ``/metrics`` (given where pages are served)."""
    db = Database(database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
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
    relays: list[OutboxRelay] = []
    queue: CeleryJobQueue | None = None

    def wake(messages: Sequence[Any]) -> None:
        for each in relays:
            each.wake(messages)

    if redis_url:
        queue = CeleryJobQueue(redis_url)
        relays.append(OutboxRelay(db, queue, sweep_seconds=settings.relay_sweep_seconds))
    # API-key actors kept briefly; a change to a user is announced to every process at once.
    actors = (
        RedisActorInvalidation(redis_url, ActorCache(ttl_seconds=settings.api_key_cache_seconds))
        if redis_url
        else None
    )
    # After a commit the relays of this process are woken at once; NOTIFY wakes any other.
    uow = (
        SqlUnitOfWork(db, after_commit=wake, users_changed=actors.users_changed)
        if actors
        else SqlUnitOfWork(db, after_commit=wake)
    )
    search_index, release_search = search_backend(settings, uow)
    idempotency = IdempotencyService(uow)
    projects = ProjectService(
        uow,
        idempotency=idempotency,
        leave_draft_guard=leave_draft_reasons,
        observe=_observe_project,
        # OpenSearch keeps a copy of each project: changes ask for its refresh through the outbox.
        search_outbox=settings.opensearch_url is not None,
        # Submitting queues the dispatch to the PM system in the submit's transaction.
        on_submit=lambda tx, project_id, revision: submissions.queue_dispatch(tx, project_id, revision),
    )
    designs = DesignService(uow, projects)
    users = user_service(settings, db, redis_url, actors)
    blobs = blob_store(settings, readiness)
    jobs = JobService(uow, designs=designs, idempotency=idempotency)
    # PDFs content-addressed in the blob store (reports/<sha256>.pdf).
    reports = ReportService(uow, projects, designs, blobs, users)
    pm = pm_client(settings, redis_url)
    files = FileService(uow, projects, blobs, max_bytes=settings.max_upload_bytes)
    submissions = SubmissionService(
        uow,
        projects,
        designs,
        jobs,
        reports,
        pm,
        idempotency=idempotency,
        keep_files=lambda tx, project_id, by: files.keep_all(tx.session, project_id, by=by),
    )
    # A worker is taken for dead after the silence the workers themselves allow it.
    worker_max_age_seconds = 3 * settings.worker_heartbeat_seconds + 3
    scrape = ScrapeMetrics(
        snapshot=OperationsService(uow, worker_max_age_seconds=worker_max_age_seconds).snapshot,
        readiness=readiness,
        pool=db.engine.pool,
        pool_capacity=db.pool_capacity,
        data_dir=Path(settings.data_dir),
        code_version=settings.code_version,
        ui_clients=ui_clients,
    )
    services = Services(
        projects=projects,
        designs=designs,
        jobs=jobs,
        users=users,
        search=SearchService(uow, search_index),
        files=files,
        idempotency=idempotency,
        reports=reports,
        readiness=readiness,
        code_version=settings.code_version,
        observe_calculation=lambda kind, outcome: CALCULATIONS.labels(kind, outcome).inc(),
        metrics_exposition=scrape.exposition,
        job_feed=JobFeed(jobs, worker_max_age_seconds=worker_max_age_seconds),
        submissions=submissions,
    )

    # E-mails: queued in the transaction of a status change or of a report's success.
    notifications = NotificationService(
        projects=projects,
        users=users,
        jobs=jobs,
        mailer=mailer(settings),
        link_base=settings.link_base(),
        mail_from=settings.mail_from,
    )
    projects.on_status_change = notifications.project_moved
    jobs.on_succeeded[REPORT] = notifications.report_ready
    services.notifications = notifications

    if settings.opensearch_url:
        # Its own relay: OpenSearch down never holds up a job's publish.
        relays.append(
            OutboxRelay(
                db, deliver=search_deliveries(services.search), sweep_seconds=settings.relay_sweep_seconds
            )
        )

    async def start() -> None:
        if actors is not None:
            actors.start()
        if settings.relay_in_server:
            for each in relays:
                await each.start()

    services.start = start

    async def release() -> None:
        if services.job_feed is not None:
            await services.job_feed.aclose()
        for each in relays:
            await each.stop()
        if queue is not None:
            await queue.aclose()
        await release_search()
        if actors is not None:
            await actors.aclose()
        await services.users.aclose()
        await pm.aclose()
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
    # The API's requests take the front door, to its own lean stack (infra/front_door.py); the
    # mount stays for what asks the page app's router for it (and would serve should the page
    # stack ever be built without the door). With tracing on, each stack behind the door gets a
    # request span outermost, so its name can read the route the stack's router matched.
    install_front_door(
        app, RequestMiddleware(SecurityHeaders(guard, https=settings.https)), around=tracing.asgi
    )
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
        # A project file up to its limit, plus room for the form around it.
        upload_max_body_bytes=settings.max_upload_bytes + UPLOAD_FORM_ROOM,
        upload_paths=(UPLOAD_PATH,),
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
