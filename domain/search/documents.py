"""A project as a search engine's document, and back, pure: plain JSON values in both directions.

The document carries every column a search hit shows (so a hit is built from the engine's answer
alone, with the same highlighting code as PostgreSQL's) plus ``design_text``, the headline words
the PostgreSQL document searches (section and cabinet sizes), and ``revision``, the project's
revision, which the engine uses as the document's external version: a refresh that read an older
row can never overwrite a newer one, whatever order the outbox delivers them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any


def design_text(row: Mapping[str, Any]) -> str:
    return " ".join(p for p in (row.get("design_section"), row.get("design_cabinets")) if p)


def search_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of ``repository.DOCUMENT_COLUMNS`` as a JSON document."""

    def number(value: Any) -> Any:
        return None if value is None else float(value)

    total = row["design_total"]
    return {
        "project_id": str(row["project_id"]),
        "revision": int(row["revision"]),
        "name": row["name"],
        "account_id": row["account_id"],
        "customer": row["customer"],
        "site_address": row["site_address"],
        "description": row["description"],
        "design_text": design_text(row),
        "status": str(row["status"]),
        "owner_id": str(row["owner_id"]),
        "owner_email": row["owner_email"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
        "design_revision": row["design_revision"],
        "design_pass": row["design_pass"],
        "design_section": row["design_section"],
        "design_cabinets": row["design_cabinets"],
        "design_pole_count": row["design_pole_count"],
        "design_mount": row["design_mount"],
        "design_wind_mph": number(row["design_wind_mph"]),
        # Money travels as text: exact to the cent (the engine's numeric field reads it as a number).
        "design_total": None if total is None else str(total),
    }


def row_of(source: Mapping[str, Any]) -> dict[str, Any]:
    """A document read back as the row ``results.hit`` takes (the types the database gives)."""
    wind, total = source.get("design_wind_mph"), source.get("design_total")
    return {
        **source,
        "created_at": datetime.fromisoformat(source["created_at"]),
        "updated_at": datetime.fromisoformat(source["updated_at"]),
        "design_wind_mph": None if wind is None else Decimal(str(wind)),
        "design_total": None if total is None else Decimal(str(total)),
    }
