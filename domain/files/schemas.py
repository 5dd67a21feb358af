"""Plain data in and out of the file service (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field


def blob_key(sha256: str) -> str:
    """Where a file's bytes live in the blob store: one blob per distinct content."""
    return f"files/{sha256}"


BLOB_PREFIX = "files"


class FileOut(BaseModel):
    """A project file as lists and the API show it."""

    file_id: str
    project_id: str
    name: str = Field(description="As uploaded, cut to its last path part.")
    size: int = Field(description="Bytes.")
    content_type: str = Field(description="Told from the bytes, e.g. `application/pdf`.")
    kind: str = Field(description="PDF, PNG, JPEG, DXF, DWG, CSV or XLSX.")
    sha256: str = Field(description="SHA-256 of the bytes: the file's strong ETag.")
    uploaded_by: str
    uploaded_by_email: str
    uploaded_at: datetime

    @property
    def etag(self) -> str:
        return self.sha256


@dataclass(frozen=True)
class UploadedFile:
    file: FileOut
    created: bool  # False: the project had this content already; that file is returned
