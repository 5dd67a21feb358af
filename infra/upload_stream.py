"""The file of a ``multipart/form-data`` request, streamed as the body arrives: nothing is buffered
whole, spooled to disk or parsed twice.

Starlette's ``request.form()`` reads the whole body first (into memory, or a temporary file past
1 MB) before a route sees a byte. Here python-multipart's push parser is fed each body chunk as
it arrives and hands on the data of the one file part (field ``file``) at once, so an upload goes
from the socket through the checks to the blob store in chunks of the size the server reads
(64 KiB). Memory per upload stays at a few chunks whatever the file size.

The bounds: the part headers (8 KiB a header), and everything in the body besides the file (other
form fields, 64 KiB in all). A body that ends before its closing boundary, or a client that goes
away midway, is an interrupted upload (400); two ``file`` parts are refused (one file per request).
Every refusal is a ``DomainError`` naming the field ``file``, raised from the chunk iterator, so
whatever consumes it (the blob store) drops what it had staged.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from domain.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType

FIELD = "file"
MAX_HEADER = 8 * 1024
MAX_OTHER = 64 * 1024
INTERRUPTED = "The upload was interrupted: the request ended before the file was complete."


def _error(
    kind: type[BadRequest] | type[UnsupportedMediaType] | type[PayloadTooLarge], message: str
) -> Exception:
    return kind(message, fields=[{"field": FIELD, "message": message}])


@dataclass
class _Part:
    headers: dict[str, str] = field(default_factory=dict)
    name: str | None = None
    filename: str | None = None
    content_type: str | None = None


class MultipartUpload:
    """``await upload.start()`` reads up to the file part's headers and returns its file name;
    ``upload.chunks()`` then yields the file's bytes and reads the body to its end."""

    def __init__(self, content_type: str | None, body: AsyncIterable[bytes]) -> None:
        ctype, params = parse_options_header(content_type or "")
        boundary = params.get(b"boundary")
        if ctype != b"multipart/form-data" or not boundary:
            raise _error(
                UnsupportedMediaType,
                "send the file as multipart/form-data (with a boundary), in the form field “file”",
            )
        self._body = aiter(body)
        self._events: deque[tuple[str, bytes]] = deque()
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._part: _Part | None = None
        self._in_file = False
        self._file_seen = False
        self._other_bytes = 0
        self._ended = False
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )
        self.filename: str | None = None
        self.part_content_type: str | None = None

    # --- parser callbacks (run inside ``write``) --------------------------------------------------
    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]
        self._check_header()

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        self._check_header()

    def _check_header(self) -> None:
        if len(self._header_field) + len(self._header_value) > MAX_HEADER:
            raise _error(BadRequest, f"a part header is longer than {MAX_HEADER} bytes")

    def _on_header_end(self) -> None:
        assert self._part is not None
        name = bytes(self._header_field).decode("latin-1").strip().lower()
        self._part.headers[name] = bytes(self._header_value).decode("latin-1").strip()
        self._header_field.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        part = self._part
        assert part is not None
        _, options = parse_options_header(part.headers.get("content-disposition", ""))
        part.name = _text(options.get(b"name"))
        part.filename = _text(options.get(b"filename"))
        part.content_type = part.headers.get("content-type")
        if part.name == FIELD:
            if self._file_seen:
                raise _error(BadRequest, "send one file per request (the form has two “file” fields)")
            self._file_seen = self._in_file = True
            self.filename, self.part_content_type = part.filename, part.content_type
            self._events.append(("file", b""))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._events.append(("data", bytes(data[start:end])))
            return
        self._other_bytes += end - start
        if self._other_bytes > MAX_OTHER:
            raise _error(PayloadTooLarge, f"the form holds more than {MAX_OTHER} bytes besides the file")

    def _on_part_end(self) -> None:
        if self._in_file:
            self._in_file = False
            self._events.append(("file_end", b""))

    def _on_end(self) -> None:
        self._ended = True

    # --- reading --------------------------------------------------------------------------------
    async def _next_events(self) -> bool:
        """Feed the parser the next body chunk; False once the body has ended."""
        try:
            chunk = await anext(self._body)
        except StopAsyncIteration:
            return False
        except ClientDisconnect:
            raise _error(BadRequest, INTERRUPTED) from None
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise _error(BadRequest, f"the multipart body is malformed ({exc})") from None
        return True

    async def start(self) -> str | None:
        """Read up to the headers of the file part; its file name (None when it has none)."""
        while True:
            while self._events:
                kind, _ = self._events.popleft()
                if kind == "file":
                    return self.filename
            if self._ended or not await self._next_events():
                raise _error(BadRequest, "the form has no “file” field" if self._ended else INTERRUPTED)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes as they arrive; then the rest of the body is read (and refused if it
        holds another file or is cut short)."""
        file_done = False
        while True:
            while self._events:
                kind, data = self._events.popleft()
                if kind == "data" and data:
                    yield data
                elif kind == "file_end":
                    file_done = True
            if self._ended:
                break
            if not await self._next_events():
                raise _error(BadRequest, INTERRUPTED)
        if not file_done:
            raise _error(BadRequest, INTERRUPTED)

    async def discard_rest(self, budget: int = 4 * 1024 * 1024) -> bool:
        """After a refusal: read and drop what is left of the body, at most ``budget`` bytes, so
        that a client which sends its whole body before reading (most do) gets to read the
        answer. False when more was left (the server then closes the connection)."""
        while budget >= 0:
            try:
                chunk = await anext(self._body)
            except (StopAsyncIteration, ClientDisconnect):
                return True
            budget -= len(chunk)
        return False


def _text(value: bytes | None) -> str | None:
    """A parameter as the browser sent it: UTF-8 (what browsers send), else Latin-1."""
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")
