"""CSV as a stream of text chunks, for every export (search results today; lists and histories
tomorrow): rows are written as they come from a server-side cursor, a chunk per ``BATCH`` rows,
so memory stays flat however many rows match. Pure: no I/O beyond the iterator it is handed."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

BATCH = 500  # rows per chunk sent


async def csv_chunks(rows: AsyncIterator[list[str]], batch: int = BATCH) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    async for row in rows:
        writer.writerow(row)
        count += 1
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection: "=HYPERLINK(...)" typed as a
    name): a leading = + - @ or tab/CR gets an apostrophe, as OWASP advises."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
