"""Every ORM model, imported in one place so Alembic sees the whole schema."""

from domain.designs.models import DesignRevision
from domain.files.models import FileReference, ProjectFile
from domain.idempotency.models import IdempotencyKey
from domain.jobs.models import Job, Worker
from domain.orm import Base
from domain.outbox.models import OutboxMessage
from domain.projects.models import Project, ProjectEvent
from domain.reports.models import Report
from domain.search.models import SavedSearch
from domain.users.models import ApiKey, User, UserEvent

__all__ = [
    "ApiKey",
    "Base",
    "DesignRevision",
    "FileReference",
    "IdempotencyKey",
    "Job",
    "OutboxMessage",
    "Project",
    "ProjectEvent",
    "ProjectFile",
    "Report",
    "SavedSearch",
    "User",
    "UserEvent",
    "Worker",
]
