"""Query text rules of the search, pure: words, the tsquery, highlights and "did you mean".

The database folds case and accents (``signx_fold``: ``lower(unaccent(...))``) and treats
punctuation as a word break (``signx_words``); :func:`fold` and :func:`words` are the same rules
here, so a highlight marks exactly the words the database matched. ``unicodedata`` decomposition
covers the accents PostgreSQL's ``unaccent`` removes for Latin scripts; the few letters that do
not decompose (ø, ł, ß, æ, œ, đ, þ) are mapped as ``unaccent`` maps them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_NO_DECOMPOSITION = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
    }
)

MAX_WORDS = 12  # a query of more words is cut: nobody types more, and each is an index lookup


def fold(text: str) -> str:
    """Lower case without accents: "Café MÜNCHEN" -> "cafe munchen"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(query: str) -> list[str]:
    """The folded words of a query, split at anything not a letter or digit, as the document is:
    "ACC-007" -> ["acc", "007"], "Café 12x6" -> ["cafe", "12x6"], "%_" -> []."""
    return "".join(c if c.isalnum() else " " for c in fold(query)).split()[:MAX_WORDS]


def tsquery(query_words: Sequence[str]) -> str | None:
    """A ``to_tsquery('simple', ...)`` text: every word must match, the last one as a prefix (it
    is still being typed). Each word is a quoted lexeme, so nothing in it is read as an operator."""
    if not query_words:
        return None
    quoted = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in query_words]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def like_pattern(text: str) -> str:
    """A substring LIKE pattern (``ESCAPE '\\'``) that matches ``text`` literally, folded: ``%``,
    ``_`` and the escape character are escaped (``q=%`` must find "100%", not every project)."""
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# -- highlights ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool


# A word is a run of letters and digits (``str.isalnum``): ``\w`` without the underscore.
_WORD = re.compile(r"[^\W_]+")


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` (runs of letters and digits)."""
    return [m.span() for m in _WORD.finditer(text)]


@lru_cache(maxsize=16_384)
def _folded_word(word: str) -> str:
    """``fold`` of one word of a result; the same words recur on every page (cached)."""
    return fold(word)


def _matches(word: str, query_words: Sequence[str]) -> bool:
    folded = _folded_word(word)
    *whole, last = query_words
    return folded in whole or folded.startswith(last)


def highlight(text: str, query_words: Sequence[str], *, limit: int | None = None) -> list[Segment]:
    """``text`` cut into plain and matched segments (matched: a whole query word, or a word the
    last query word begins). With ``limit``, a window of about that many characters around the
    first match, with "…" where it was cut. The segments are plain text: whoever renders them
    escapes them (nothing here is markup)."""
    if limit is not None and len(text) > limit:
        text = _window(text, query_words, limit)
    if not query_words or not text:
        return [Segment(text, False)] if text else []
    out: list[Segment] = []
    at = 0
    for m in _WORD.finditer(text):
        if _matches(m.group(), query_words):
            start, end = m.span()
            if start > at:
                out.append(Segment(text[at:start], False))
            out.append(Segment(m.group(), True))
            at = end
    if at < len(text):
        out.append(Segment(text[at:], False))
    return out


def _window(text: str, query_words: Sequence[str], limit: int) -> str:
    first = next((s for s, e in _spans(text) if query_words and _matches(text[s:e], query_words)), 0)
    start = max(0, min(first - limit // 3, len(text) - limit))
    end = min(len(text), start + limit)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def has_match(segments: Iterable[Segment]) -> bool:
    return any(s.match for s in segments)


# -- did you mean ----------------------------------------------------------------------------------


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm ``similarity`` of two words: shared trigrams over all trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def suggest(query_words: Sequence[str], texts: Iterable[str], *, threshold: float = 0.3) -> str | None:
    """The query with each word that no text contains replaced by the most similar word of the
    texts (the rows the typo fallback found): "pylom sgin" -> "pylon sign". None when nothing
    would change."""
    vocabulary = {w for t in texts for w in words(t)}
    if not vocabulary or not query_words:
        return None
    fixed: list[str] = []
    for i, word in enumerate(query_words):
        last = i == len(query_words) - 1
        if word in vocabulary or (last and any(v.startswith(word) for v in vocabulary)):
            fixed.append(word)
            continue
        best = max(sorted(vocabulary), key=lambda v: similarity(word, v))
        fixed.append(best if similarity(word, best) >= threshold else word)
    return " ".join(fixed) if list(fixed) != list(query_words) else None
