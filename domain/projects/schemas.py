"""Plain data in and out of the project service (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from domain.paging import (
    CURSOR_PATTERN,
    MAX_CURSOR,
    MAX_LIMIT,
    MAX_OFFSET,
    Cursor,
    KeysetPage,
    Page,
    checked_cursor,
    decode_cursor,
    key_datetime,
)
from domain.projects.lifecycle import Status
from domain.text import Line, NonBlankLine, Prose, SingleLine
from domain.users.schemas import Actor

__all__ = ["KeysetPage", "Page"]  # re-exported: callers page projects with it

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NonBlankLine]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SingleLine]
Description = Annotated[str, StringConstraints(max_length=5000), Prose]
AccountId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")
]

EDITABLE_FIELDS = ("name", "customer", "account_id", "description", "site_address")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="Project name, e.g. 'Main St pylon'.")
    account_id: AccountId = Field(description="Customer account code (letters, digits, . _ -).")
    customer: Text200 = Field("", description="Customer name.")
    description: Description = ""
    site_address: Address = ""


class ProjectUpdate(BaseModel):
    """Partial update: only the fields present change. An explicit null is refused (422 naming
    the field) rather than silently ignored: the defaults below are never validated, only given."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(default=None)  # type: ignore[assignment]
    account_id: AccountId = Field(default=None)  # type: ignore[assignment]
    customer: Text200 = Field(default=None)  # type: ignore[assignment]
    description: Description = Field(default=None)  # type: ignore[assignment]
    site_address: Address = Field(default=None)  # type: ignore[assignment]


Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Prose]


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status
    reason: Reason | None = Field(
        None,
        description="Why (up to 2000 characters). Required to reject; the owner is e-mailed it and it "
        "stays in the project's history.",
    )


PMDispatch = Literal["pending", "sent", "recorded_locally"]


class ProjectOut(BaseModel):
    project_id: str
    account_id: str
    name: str
    customer: str
    description: str
    site_address: str
    status: Status
    etag: str
    revision: int
    owner_id: str
    owner_email: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    # The latest submission to the PM system; all null before the first submission.
    submitted_design_revision: int | None = Field(None, description="The design revision submitted.")
    pm_dispatch: PMDispatch | None = Field(
        None,
        description="Where the submission's dispatch stands: `pending` (queued or retrying), `sent` "
        "(the PM system took it: `pm_reference`), `recorded_locally` (no PM system configured: written "
        "under the data dir, not sent); null before any submission.",
    )
    pm_reference: str | None = Field(None, description="The PM system's reference (when `sent`).")
    pm_submission_key: str | None = Field(
        None, description="The `Idempotency-Key` the submission's dispatch carries to the PM system."
    )
    pm_dispatched_at: datetime | None = Field(None, description="When the dispatch was sent or recorded.")

    def editable(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in EDITABLE_FIELDS}


class EventOut(BaseModel):
    event_id: int
    project_id: str
    event_type: str
    actor: str
    request_id: str | None
    created_at: datetime
    data: dict[str, Any]


class ProjectQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Line | None = Field(None, max_length=200)
    status: Status | None = None
    account_id: Line | None = Field(None, max_length=64)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    sort: str = Field(
        "-created_at", pattern=r"^-?(created_at|updated_at|name|status|customer|account_id|owner)$"
    )
    after: str | None = Field(None, max_length=MAX_CURSOR, pattern=CURSOR_PATTERN)

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None, info: ValidationInfo) -> str | None:
        return checked_cursor(value, info.data, list_after)

    def keyset(self) -> ListAfter | None:
        return list_after(decode_cursor(self.after)) if self.after else None


@dataclass(frozen=True)
class ListAfter:
    """Where a list page read by key starts: after the row with this sort ``value`` and id."""

    cursor: Cursor
    value: Any  # the sort column's value (a datetime for created_at and updated_at)


def list_after(cursor: Cursor) -> ListAfter:
    """The sort key a list cursor carries, read for its sort; ValueError if it does not fit."""
    if len(cursor.key) != 1 or not isinstance(cursor.key[0], str):
        raise ValueError("is not a cursor of this sort")
    column = cursor.sort.lstrip("-")
    if column in ("created_at", "updated_at"):
        return ListAfter(cursor, key_datetime(cursor.key[0]))
    return ListAfter(cursor, cursor.key[0])


@dataclass(frozen=True)
class StatusChange:
    """A project's move, told (inside the move's transaction) to whoever reacts to it: the
    e-mail notifications. ``project`` is as it is after the move."""

    project: ProjectOut
    before: Status
    after: Status
    actor: Actor
    reason: str | None
