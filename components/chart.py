"""A plotly chart for figures that change often: drawn only while it is on or near the screen.

Same figure dicts and ``update_figure`` as ``ui.plotly`` (the figure stays readable on the server,
so the page tests read what it draws); the browser side is ``chart.js``. Why: see there.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

# plotly.js is a 3.5 MB module that the browser fetches, compiles and runs when the first chart
# mounts: on a busy 2-core machine that took 6 s, all of it after the Design tab was opened. A page
# with charts on a tab that is not open yet starts loading it as soon as the browser is idle.
PRELOAD_JS = """<script>
(window.requestIdleCallback || ((f) => setTimeout(f, 200)))(() => import("nicegui-plotly"));
</script>"""


def preload() -> None:
    """Start loading plotly.js in the background of the current page (see ``PRELOAD_JS``)."""
    ui.add_body_html(PRELOAD_JS)


class Chart(ui.plotly, component="chart.js"):  # type: ignore[call-arg]
    def __init__(self, figure: dict[str, Any] | None = None) -> None:
        super().__init__(figure or {"data": [], "layout": {}})

    def show(self, figure: dict[str, Any]) -> None:
        """Send ``figure`` when it differs from the one shown; an unchanged chart costs nothing."""
        if self.figure != figure:
            self.update_figure(figure)
