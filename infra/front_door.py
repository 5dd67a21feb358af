"""The front door: requests for the JSON API go straight to the API's own lean stack, past the
page app's middleware.

The page app (NiceGUI) wraps every request in its session cookie middleware, its request
tracking (a ``BaseHTTPMiddleware``, whose task plumbing cost about a sixth of an API request) and
gzip. None of it serves an API client, and the request tracking even opens a browser-session
storage for every request that arrives without a cookie, as API clients do. So the outermost
layer of the page app sends ``/api`` (and ``/api/...``) to ``api_stack`` (request id, metrics,
security headers, the guard, the API) and everything else down the page stack.

Starlette builds an app's middleware stack on its first request, from the middleware list; NiceGUI
adds its own layers when ``ui.run`` starts, after the composition root has run. Wrapping the
built stack (rather than adding one more middleware, which would end up inside NiceGUI's
outermost layers) is what puts this door in front of all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIX = "/api"


class FrontDoor:
    def __init__(self, pages: ASGIApp, api_stack: ASGIApp, prefix: str = API_PREFIX) -> None:
        self.pages = pages
        self.api_stack = api_stack
        self.prefix = prefix
        self.prefix_slash = prefix + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path == self.prefix or path.startswith(self.prefix_slash):
                # What a Starlette mount at ``prefix`` would pass on.
                scope = {**scope, "root_path": scope.get("root_path", "") + self.prefix, "path": path}
                await self.api_stack(scope, receive, send)
                return
        await self.pages(scope, receive, send)


def _as_is(app: ASGIApp) -> ASGIApp:
    return app


def install_front_door(app: Any, api_stack: Any, *, around: Callable[[ASGIApp], ASGIApp] = _as_is) -> None:
    """Put a :class:`FrontDoor` in front of ``app``'s middleware stack when it is built.
    ``around`` wraps each of the two stacks behind the door (a request span, outside everything
    else: ``infra/tracing.py``); it is applied when the stack is built, at the first request."""
    build = type(app).build_middleware_stack

    def build_with_front_door() -> ASGIApp:
        return FrontDoor(around(build(app)), around(api_stack))

    app.build_middleware_stack = build_with_front_door
    app.middleware_stack = None  # built again (with the door) on the next request
