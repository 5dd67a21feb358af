"""ETags and change sets for project revisions. Pure: no I/O.

The ETag is a strong validator (RFC 9110 8.8.3): 16 hex characters derived from the project id
and its revision number, so it changes on every mutation and two revisions never share one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any


def make_etag(project_id: str, revision: int) -> str:
    return hashlib.sha256(f"{project_id}:{revision}".encode()).hexdigest()[:16]


def quote(etag: str) -> str:
    return f'"{etag}"'


def parse_etags(header: str | None, *, strong: bool = True) -> list[str] | None:
    """Entity tags named in an If-Match / If-None-Match header (None when the header is absent).

    ``*`` is returned as ``["*"]``. If-Match compares strongly (RFC 9110 13.1.1), so weak tags
    (``W/"..."``) are dropped unless ``strong=False`` (If-None-Match's weak comparison, 13.1.2).
    """
    if header is None:
        return None
    tags: list[str] = []
    for part in header.split(","):
        tag = part.strip()
        if not tag:
            continue
        if tag == "*":
            tags.append("*")
            continue
        if tag.startswith("W/"):
            if strong:
                continue
            tag = tag[2:]
        tags.append(tag.strip('"'))
    return tags


def is_wildcard(header: str | None) -> bool:
    """Whether an If-Match header names ``*`` ("any current version").

    Writes refuse it: ``*`` only says the project exists, so it would silently overwrite a change
    the caller never saw, which is exactly what If-Match is required here to prevent.
    """
    return "*" in (parse_etags(header) or [])


def matches(header: str | None, current: str, *, strong: bool = True) -> bool:
    """Whether the header names the current ETag: strong comparison for If-Match (the default),
    weak for If-None-Match."""
    tags = parse_etags(header, strong=strong) or []
    return "*" in tags or current in tags


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Fields whose value changes, as ``{field: {"before": old, "after": new}}`` (sorted by name)."""
    return {
        key: {"before": before.get(key), "after": after[key]}
        for key in sorted(after)
        if before.get(key) != after[key]
    }
