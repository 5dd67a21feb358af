"""Hardening headers on every HTTP response, and no session cookie where no page is served.

Pure ASGI middleware. NiceGUI installs the session middleware outside every other middleware, so
on non-page paths this one marks the session unmodified before the response starts (the session
middleware then writes no cookie), and drops any ``Set-Cookie`` it sees itself.

The Content-Security-Policy is as strict as NiceGUI allows:
- ``script-src 'unsafe-inline'``: every NiceGUI page carries inline ``<script>`` blocks with the
  page's element tree and configuration (and the API docs page boots Swagger UI inline).
- ``script-src 'unsafe-eval'``: Vue compiles NiceGUI's element templates in the browser, and
  NiceGUI evaluates ``:prop`` expressions and JavaScript event handlers with ``new Function``/``eval``.
- ``style-src 'unsafe-inline'``: Quasar, Tailwind and UnoCSS inject ``<style>`` elements at run time
  and elements carry ``style`` attributes.
- ``img-src data: blob:`` / ``font-src data:``: Quasar's icons and inline SVG images.
- ``connect-src 'self'``: the socket.io connection (WebSocket and polling) to this origin only.
Everything else is same-origin only, with no plugins, no framing by anyone (``frame-ancestors
'none'`` plus ``X-Frame-Options: DENY`` for older browsers) and no foreign form targets.
"""

from __future__ import annotations

from typing import Any

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")

# Responses that are not pages: a session cookie there is never needed, and on the API (API keys,
# no browser session) or a cached static asset it would only spread a session identifier.
COOKIELESS_PREFIXES = ("/api", "/_nicegui/", "/health", "/ready", "/metrics", "/favicon.ico")


def cookieless(path: str) -> bool:
    return any(
        path == p.rstrip("/") or path.startswith(p if p.endswith("/") else p + "/")
        for p in COOKIELESS_PREFIXES
    )


class SecurityHeaders:
    """Adds the hardening headers (replacing any of the same name) and keeps ``Set-Cookie`` off
    non-page responses, wherever it sits relative to the session middleware. With ``https`` it
    adds HSTS; the session cookie's ``Secure`` flag comes from the same setting in app.py."""

    def __init__(self, app: Any, *, https: bool = False) -> None:
        self.app = app
        self.headers = BASE_HEADERS + ((HSTS,) if https else ())
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        strip_cookie = cookieless(scope.get("path", ""))

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                session = scope.get("session")
                if strip_cookie and session is not None:
                    # Inside the session middleware: an unmodified session writes no cookie.
                    session.modified = False
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in self.names and not (strip_cookie and k.lower() == b"set-cookie")
                ]
                message["headers"] = kept + list(self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)
