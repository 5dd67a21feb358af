"""Process settings, read once from the environment (prefix ``SIGNX_``).

Every external server is optional: when its URL is unset the embedded equivalent is started
inside ``data_dir``, so a fresh machine runs the whole product with no servers installed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse as parse_rate
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.text import has_control_characters


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNX_", env_file=None, extra="ignore")

    host: str = Field("127.0.0.1", description="Interface the web server binds to.")
    port: int = Field(8000, ge=1, le=65535)
    data_dir: Path = Field(Path("./var"), description="Embedded database, Redis and files live here.")
    database_url: str | None = Field(
        None, description="postgresql+asyncpg://... of an external PostgreSQL 15+; unset = embedded."
    )
    db_pool_size: int = Field(
        30,
        ge=1,
        le=500,
        description="Database connections a process keeps open once it has needed them. Opened lazily; "
        "a connection beyond it (up to db_max_overflow more) is closed after each use, and reopening one "
        "per request under load cost more than the request.",
    )
    db_max_overflow: int = Field(
        10, ge=0, le=500, description="Connections beyond db_pool_size at busy moments."
    )
    redis_url: str | None = Field(None, description="redis://... of an external Redis 7+; unset = embedded.")
    embedded_redis_port: int = Field(
        0, description="TCP port for the embedded Redis on 127.0.0.1; 0 picks a free one."
    )
    storage_secret: str | None = Field(
        None, description="Secret for signed browser sessions; generated and kept in data_dir when unset."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Login attempts per account and client address per window before lockout."
    )
    login_window_seconds: int = Field(300, ge=1)
    https: bool = Field(
        False,
        description="The site is served over HTTPS (a TLS proxy in front): Secure session cookie and HSTS.",
    )
    max_body_bytes: int = Field(
        1_048_576,
        ge=1024,
        description="Largest API request body; bigger ones get 413 (checked while streaming).",
    )
    api_rate_per_key: str = Field("600/minute", description="API requests per API key (limits syntax).")
    api_rate_per_address: str = Field(
        "1200/minute",
        description="API requests per client address that no right key names (the docs, a missing key).",
    )
    api_key_cache_seconds: float = Field(
        10.0,
        ge=0,
        le=300,
        description="How long a process keeps an API key's user without asking the database (0: never). "
        "Changes to a user are announced through Redis and forgotten at once; this bounds a lost message.",
    )
    api_key_failures_per_address: str = Field(
        "20/10 minutes",
        description="Wrong API keys per client address before every attempt from it gets 429.",
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token /metrics requires; unset = /metrics answers loopback clients only."
    )
    login_account_max_failures: int = Field(
        50, ge=1, description="Login attempts per account from all addresses together per window."
    )
    login_account_window_seconds: int = Field(3600, ge=1)
    # argon2id cost (argon2-cffi's defaults, RFC 9106's low-memory choice). The test suite lowers
    # them to keep hashing cheap; never lower them in production. Hashes made with other values
    # are upgraded at the next successful login.
    password_time_cost: int = Field(3, ge=1, description="argon2 iterations.")
    password_memory_kib: int = Field(65536, ge=8, description="argon2 memory per hash, KiB.")
    password_parallelism: int = Field(4, ge=1, le=255, description="argon2 lanes.")
    relay_in_server: bool = Field(
        True,
        description="The web server relays the outbox to the job queue; set false when `python app.py "
        "relay` runs on its own (several relays may run: they never publish a row twice at once).",
    )
    relay_sweep_seconds: float = Field(
        5.0, gt=0, le=3600, description="How often the relay sweeps for outbox rows a wake-up missed."
    )
    log_level: str = "INFO"
    code_version: str = "0.1.0"
    # Background jobs (Celery workers over Redis). The broker's visibility timeout must outlast
    # the longest task, or Redis hands a still-running task to a second worker.
    worker_concurrency: int = Field(1, ge=1, le=32, description="Pool processes per worker.")
    worker_queues: str = Field(
        "all",
        description="Queues a worker consumes, comma-separated: reports, dispatch, mail, indexing, celery "
        "(the default queue); all = every one. `python app.py worker --queues` overrides it.",
    )
    worker_prefetch_multiplier: int = Field(
        1,
        ge=1,
        le=16,
        description="Messages a worker process reserves ahead. 1: a worker takes a message only when a "
        "process is free (a killed worker strands nothing it had not started); more: higher "
        "throughput of short jobs, and a killed worker's reserved messages wait for recovery.",
    )
    job_soft_time_limit_seconds: int = Field(
        120, ge=1, le=3600, description="A task is asked to stop (and its job fails) after this long."
    )
    job_hard_time_limit_seconds: int = Field(
        150, ge=2, le=7200, description="A task still running this long has its pool process killed."
    )
    broker_visibility_timeout_seconds: int = Field(
        3600, ge=60, le=86400, description="Redis redelivers an unacknowledged task after this long."
    )
    job_max_attempts: int = Field(5, ge=1, le=20, description="Attempts of a job before it is failed.")
    job_retry_backoff_max_seconds: int = Field(
        60, ge=1, le=3600, description="Longest wait between two attempts (exponential, with jitter)."
    )
    worker_heartbeat_seconds: float = Field(5.0, ge=0.2, le=60, description="Worker heartbeat period.")
    worker_stop_grace_seconds: float = Field(
        10.0, ge=0.5, le=300, description="serve waits this long after SIGTERM before killing its worker."
    )
    serve_worker: bool = Field(True, description="serve starts and supervises one worker process.")
    # The garbage collector's full collections walk every tracked object; the modules, routes,
    # pages and services built at start-up are most of them and never become garbage.
    gc_freeze: bool = Field(
        True,
        description="serve moves what is alive once it has started out of the garbage collector's "
        "walks (gc.freeze): full collections then walk only what requests made since.",
    )
    gc_young_threshold: int = Field(
        10_000,
        ge=0,
        le=1_000_000,
        description="serve's allocations between two young collections (gc.set_threshold's first "
        "value); 0 keeps Python's default (700). Measured in app.py (_settle_heap_after_start).",
    )
    # Search on OpenSearch (PostgreSQL full text when unset, and whenever OpenSearch fails).
    opensearch_url: str | None = Field(
        None,
        description="http(s)://[user:password@]host:9200 of OpenSearch 2.x; unset = PostgreSQL full text.",
    )
    opensearch_index: str = Field(
        "signx-projects",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$",
        description="The alias searches and updates use; the indexes behind it are <alias>-v<n>-<time>.",
    )
    opensearch_timeout_seconds: float = Field(
        2.0, gt=0, le=60, description="A search or update slower than this falls back to PostgreSQL."
    )
    opensearch_breaker_failures: int = Field(
        3, ge=1, le=100, description="Failures in a row after which OpenSearch is left alone for a while."
    )
    opensearch_breaker_seconds: float = Field(
        30.0, ge=1, le=3600, description="How long OpenSearch is left alone once the breaker opened."
    )
    # E-mail (README "E-mail"). Unset SMTP: each message is written as an .eml file under data_dir/mail.
    smtp_url: SecretStr | None = Field(
        None,
        description="smtp://user:password@host:587?starttls=1 (STARTTLS), smtps://...:465 (SSL) or "
        "smtp://host:25 (plain); unset = .eml files under <data_dir>/mail.",
    )
    smtp_timeout_seconds: float = Field(15.0, gt=0, le=300, description="Per SMTP connection and command.")
    mail_from: str = Field("SignX Studio <signx@localhost>", description="The From: of every e-mail.")
    public_url: str | None = Field(
        None,
        description="The address people open the dashboard at, for links in e-mails; "
        "unset = http://127.0.0.1:<port>.",
    )
    # Submission to the company's project-management system (the dispatch job). Unset URL: each
    # dispatch is written to <data_dir>/pm-outbox/ and marked "recorded locally, not sent".
    pm_url: str | None = Field(
        None,
        description="http(s) URL the submission JSON is POSTed to; unset = recorded in data_dir/pm-outbox.",
    )
    pm_token: SecretStr | None = Field(None, description="Bearer token sent to the PM system.")
    pm_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="Longest wait for the PM system's answer (connect and read)."
    )
    pm_breaker_threshold: int = Field(
        5, ge=1, le=100, description="Failed dispatches in a row (timeouts, 5xx) that open the breaker."
    )
    pm_breaker_reset_seconds: float = Field(
        30.0, ge=1, le=3600, description="An open breaker lets one dispatch try again after this long."
    )
    # Files (project attachments, report PDFs): a folder under data_dir, or an S3-compatible bucket.
    s3_endpoint: str | None = Field(
        None,
        description="host:port (or http(s)://host:port) of an S3-compatible store (MinIO, S3); unset = "
        "the blobs folder under data_dir.",
    )
    s3_bucket: str = Field("signx", description="Bucket for files and reports; created when missing.")
    s3_access_key: str | None = Field(None, description="S3 access key id.")
    s3_secret_key: SecretStr | None = Field(None, description="S3 secret key.")
    s3_secure: bool = Field(True, description="HTTPS to the S3 endpoint (an http:// endpoint turns it off).")
    s3_region: str | None = Field(None, description="S3 region; unset = ask the server.")
    max_upload_mb: int = Field(50, ge=1, le=5000, description="Largest project file, in MB (MiB).")
    pg_bin_dir: Path | None = Field(
        None,
        description="Folder of pg_dump/pg_restore for `backup`/`restore`; unset = the ones matching the "
        "server's major version (embedded PostgreSQL's, /usr/lib/postgresql/N/bin, PATH).",
    )
    worker_metrics_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="`python app.py worker` serves its Prometheus metrics on this port (on SIGNX_HOST); "
        "0 = not served (a worker started by serve shows its metrics in the server's /metrics).",
    )
    # Traces (infra/tracing.py): unset, the tracing SDK and its exporter are not even imported.
    otlp_endpoint: str | None = Field(
        None,
        description="http(s)://host:4318 of an OpenTelemetry collector (OTLP over HTTP; /v1/traces is "
        "added unless given): every process sends its spans there; unset = no tracing.",
    )
    otlp_sample_ratio: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of new traces kept; a job's spans follow the choice made for its request.",
    )

    @model_validator(mode="after")
    def _argon2_memory_covers_the_lanes(self) -> Settings:
        if self.password_memory_kib < 8 * self.password_parallelism:
            raise ValueError("password_memory_kib must be at least 8 x password_parallelism (argon2)")
        return self

    @model_validator(mode="after")
    def _time_limits_in_order(self) -> Settings:
        if self.job_hard_time_limit_seconds <= self.job_soft_time_limit_seconds:
            raise ValueError("job_hard_time_limit_seconds must be greater than job_soft_time_limit_seconds")
        if self.broker_visibility_timeout_seconds <= self.job_hard_time_limit_seconds:
            raise ValueError(
                "broker_visibility_timeout_seconds must be greater than job_hard_time_limit_seconds"
                " (Redis would hand a running task to a second worker)"
            )
        return self

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse a malformed SMTP address at start-up, not at the first e-mail."""
        if value is None or not value.get_secret_value().strip():
            return None
        from infra.mail import parse_smtp_url

        parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        from email.utils import parseaddr

        if has_control_characters(value) or "@" not in parseaddr(value)[1]:
            raise ValueError("must be an e-mail address, e.g. 'SignX Studio <signx@example.com>'")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                "must be an http:// or https:// address without query, e.g. https://signx.example.com"
            )
        return value

    def link_base(self) -> str:
        """Where links in e-mails point: ``public_url``, else this server on loopback."""
        return self.public_url or f"http://127.0.0.1:{self.port}"

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("api_rate_per_key", "api_rate_per_address", "api_key_failures_per_address")
    @classmethod
    def _rate(cls, value: str) -> str:
        parse_rate(
            value
        )  # "600/minute", "20 per 10 minutes": refuse a typo at start-up, not at the first request
        return value

    @field_validator("worker_queues")
    @classmethod
    def _known_queues(cls, value: str) -> str:
        from domain.jobs.queues import parse_queues

        parse_queues(value)  # a typo refused at start-up, naming the known queues
        return value

    @field_validator("metrics_token")
    @classmethod
    def _no_blank_token(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("opensearch_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.strip()

    @field_validator("pm_url")
    @classmethod
    def _pm_url(cls, value: str | None) -> str | None:
        """Refuse a typo at start-up rather than at the first submission."""
        value = (value or "").strip() or None
        if value is None:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("pm_url must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise ValueError("pm_url must not carry credentials: set SIGNX_PM_TOKEN")
        return value

    @field_validator("otlp_endpoint")
    @classmethod
    def _otlp_endpoint(cls, value: str | None) -> str | None:
        """Refuse a typo at start-up rather than losing every span in silence."""
        value = (value or "").strip() or None
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("otlp_endpoint must be an http:// or https:// URL, e.g. http://collector:4318")
        if parts.username or parts.password:
            raise ValueError(
                "otlp_endpoint must not carry credentials: set OTEL_EXPORTER_OTLP_HEADERS for the collector"
            )
        return value

    @field_validator("pm_token")
    @classmethod
    def _no_blank_pm_token(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @model_validator(mode="after")
    def _s3_endpoint_scheme(self) -> Settings:
        """``http://host:port`` / ``https://host:port`` set ``s3_secure``; minio takes the bare host."""
        endpoint = (self.s3_endpoint or "").strip().rstrip("/")
        for scheme, secure in (("http://", False), ("https://", True)):
            if endpoint.startswith(scheme):
                endpoint, self.s3_secure = endpoint.removeprefix(scheme), secure
        if endpoint and ("/" in endpoint or not endpoint.split(":")[0]):
            raise ValueError("s3_endpoint must be host[:port] or http(s)://host[:port], without a path")
        self.s3_endpoint = endpoint or None
        return self

    @field_validator("s3_bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", value) or ".." in value:
            raise ValueError("s3_bucket must be 3-63 lower-case letters, digits, dots and dashes")
        return value

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str | None) -> str | None:
        """Accept the usual ``postgresql://`` form and pin the async driver we ship."""
        if value and value.startswith("postgresql://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value and value.startswith("postgres://"):
            return "postgresql+asyncpg://" + value.removeprefix("postgres://")
        return value
