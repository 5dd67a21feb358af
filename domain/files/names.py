"""File names as people gave them, and as they go back out in a download header. Pure.

A name is only ever shown and offered back as the download's name; it never becomes a path (the
bytes live under their SHA-256). Still, a name must read as what it is:

- A path is cut to its last part: ``../../x.pdf`` and ``C:\\Users\\me\\x.pdf`` are stored as
  ``x.pdf`` (older browsers send the whole path; the folders mean nothing here). What is left must
  not be empty, ``.`` or ``..``.
- Control characters (C0, DEL, C1) and bidirectional controls are refused, not dropped: a name
  with a line break or a right-to-left override is a forgery or an accident, and the person should
  see the refusal rather than a silently different name.
- Whitespace around it is trimmed; the name is put in Unicode NFC (the form macOS and Windows
  disagree on) and may be up to 255 characters.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from domain.errors import InvalidInput
from domain.text import has_control_characters

MAX_NAME = 255
FIELD = "file"
_C1 = re.compile(r"[\x80-\x9f]")


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(f"Invalid file name: {message}.", fields=[{"field": FIELD, "message": message}])


def file_name(raw: str | None) -> str:
    """The name to store for an upload named ``raw``; ``InvalidInput`` (field ``file``) otherwise."""
    if raw is None or not raw.strip():
        raise _refuse("the file has no name")
    if has_control_characters(raw) or _C1.search(raw):
        raise _refuse("the name contains control characters")
    name = unicodedata.normalize("NFC", re.split(r"[/\\]", raw)[-1].strip())
    if name in ("", ".", ".."):
        raise _refuse("the name is a folder path, not a file name")
    if len(name) > MAX_NAME:
        raise _refuse(f"the name is longer than {MAX_NAME} characters")
    return name


def content_disposition(name: str) -> str:
    """``attachment`` with the name twice: an ASCII stand-in (quotes, backslashes, ``;`` and
    anything outside printable ASCII become ``_``) for old clients, and the exact name in RFC
    5987/6266 ``filename*`` form. Safe in a header whatever the name holds."""
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\;%' else "_" for c in name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
