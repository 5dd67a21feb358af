"""The dashboard pages (NiceGUI): one module per route, thin over the domain services.

``register()`` is called by the composition root after the services are on ``app.state``.
"""

from __future__ import annotations


def register() -> None:
    """Define every page, the not-found and error pages, and put the login gate in front of them."""
    from nicegui import app

    from components import everyday
    from pages import errors, jobs, login, profile, project, projects, search, users  # noqa: F401  (their @ui.page decorators run on import)
    from pages.exports import add_export_routes
    from pages.files import add_file_routes
    from pages.reports import add_report_routes
    from pages.search_export import add_export_route
    from pages.session import LoginRequired

    add_report_routes()
    add_file_routes()
    errors.install()
    add_export_route()
    add_export_routes()
    everyday.install()  # the shared stylesheet and script, on every page
    app.add_middleware(LoginRequired)
