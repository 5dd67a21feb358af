"""Which broker queue a job kind goes to (pure).

Workers consume queues by kind of work, so a flood of one kind never delays another: start a
worker on ``--queues mail,dispatch`` and the reports it would otherwise share its processes with
cannot hold up an e-mail. A kind is routed by its name: an explicit entry first, then the word
that names its kind of work; anything else goes to the default queue, which is also where
messages published before queues existed wait (Celery's own default name).
"""

from __future__ import annotations

REPORTS = "reports"
DISPATCH = "dispatch"
MAIL = "mail"
INDEXING = "indexing"
DEFAULT = "celery"

QUEUES: tuple[str, ...] = (REPORTS, DISPATCH, MAIL, INDEXING, DEFAULT)

_EXPLICIT: dict[str, str] = {
    "projects.report.generate": REPORTS,
    "projects.submit.dispatch": DISPATCH,
    "projects.email.send": MAIL,
}
# Words in a kind's name (dot-separated parts) and the queue they mean.
_BY_WORD: tuple[tuple[tuple[str, ...], str], ...] = (
    (("report", "reports", "render", "pdf"), REPORTS),
    (("dispatch", "submit", "submission", "submissions", "pm"), DISPATCH),
    (("mail", "email", "notify", "notification", "notifications"), MAIL),
    (("index", "indexing", "reindex", "search"), INDEXING),
)


def queue_for(kind: str | None) -> str:
    """The queue of ``kind`` (the default queue for an unknown or missing kind)."""
    if not kind:
        return DEFAULT
    if kind in _EXPLICIT:
        return _EXPLICIT[kind]
    parts = set(kind.lower().replace("_", ".").replace("-", ".").split("."))
    for words, queue in _BY_WORD:
        if parts.intersection(words):
            return queue
    return DEFAULT


def parse_queues(text: str) -> tuple[str, ...]:
    """``"reports,mail"`` -> the queues named, in order, without repeats; ``ValueError`` naming
    an unknown one. Empty (or ``all``) means every queue."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names or names == ["all"]:
        return QUEUES
    unknown = [name for name in names if name not in QUEUES]
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUES)}")
    return tuple(dict.fromkeys(names))
