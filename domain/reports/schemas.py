"""Plain data in and out of the calculation report (never ORM objects).

``ReportInput`` is everything the PDF shows and nothing else: the renderer is a function of it
alone (no clock, no database), so equal inputs give byte-identical PDFs and the SHA-256 of its
canonical JSON (``fingerprint``) names a rendering before it is made.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

LAYOUT_VERSION = "1"
"""Bumped whenever the layout changes what a report of the same input looks like: it is part of
the fingerprint, so reports stored by an older layout are rendered again on request."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReportProject(_Frozen):
    project_id: str = ""
    name: str
    customer: str = ""
    account_id: str = ""
    site_address: str = ""


class ReportDesign(_Frozen):
    """One saved design revision as stored: the engine's result and trace read back verbatim."""

    revision: int = Field(ge=1)
    module: str
    sha256: str
    input: dict[str, Any]
    result: dict[str, Any]
    trace: dict[str, Any] = Field(default_factory=dict)
    estimate: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    created_by: str = Field(description="Who saved the revision (name, or e-mail when no name).")
    note: str = ""


class ReportInput(_Frozen):
    project: ReportProject
    design: ReportDesign
    prepared_by: str = Field(description="Name printed as 'Prepared by' on the cover sheet.")
    timezone: str = Field(
        "UTC", description="IANA zone the revision's date and time are printed in (e.g. America/Chicago)."
    )

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of this input and the layout version: equal fingerprints
        give equal PDF bytes."""
        body = {"layout": LAYOUT_VERSION, "input": self.model_dump(mode="json")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ReportRef(_Frozen):
    """A stored report: the PDF is the blob ``reports/<sha256>.pdf``."""

    project_id: str
    revision: int
    sha256: str = Field(description="SHA-256 of the PDF bytes (its blob key and strong ETag).")
    size: int = Field(description="Bytes.")
    input_sha256: str = Field(description="Fingerprint of what was rendered (ReportInput + layout).")
    created_at: datetime
    rendered: bool = Field(
        False, description="True when this call rendered the PDF; False when it was found stored."
    )

    @property
    def key(self) -> str:
        return blob_key(self.sha256)


def blob_key(sha256: str) -> str:
    return f"reports/{sha256}.pdf"


def report_file_name(project_name: str, revision: int) -> str:
    """``Main-St-Pylon-rev3.pdf``: letters, digits, dots and dashes only (safe in a header value)."""
    stem = re.sub(r"[^A-Za-z0-9.]+", "-", project_name).strip("-.")[:80] or "report"
    return f"{stem}-rev{revision}.pdf"
