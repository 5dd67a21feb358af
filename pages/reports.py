"""``GET /projects/{project_id}/reports/{sha256}.pdf``: a stored calculation report, for the
signed-in browser (the API's download takes an API key; a page link carries the session cookie).

Behind the login gate like every page, and the session is re-checked here (a deactivated user's
old cookie gets nothing). Answers with the PDF as an attachment named after the project and the
revision, a strong ETag (the bytes' SHA-256, which never changes for this URL) and 304 to a
matching ``If-None-Match``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from nicegui import app

from domain.errors import NotFound
from domain.reports.schemas import report_file_name
from pages.session import current_actor, services, to_login

PATH = "/projects/{project_id}/reports/{sha256}.pdf"


def report_href(project_id: str, sha256: str) -> str:
    return f"/projects/{project_id}/reports/{sha256}.pdf"


async def download_report(request: Request, project_id: str, sha256: str) -> Response:
    if await current_actor() is None:
        return to_login(request)
    svc = services()
    try:
        project = await svc.projects.get(project_id)
        ref, data = await svc.reports.pdf(project_id, sha256)
    except NotFound as exc:
        return Response(exc.message, status_code=404, media_type="text/plain; charset=utf-8")
    etag = f'"{ref.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{report_file_name(project.name, ref.revision)}"'
    return Response(data, media_type="application/pdf", headers=headers)


def add_report_routes() -> None:
    """Once per app (the composition may run again, as in the page tests)."""
    if not any(getattr(r, "path", None) == PATH for r in app.routes):
        app.add_api_route(PATH, download_report, methods=["GET"], include_in_schema=False)
