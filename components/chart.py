"""A plotly chart for figures that change often: drawn only while it is on or near the screen.

Same figure dicts and ``update_figure`` as ``ui.plotly`` (the figure stays readable on the server,
so the page tests read what it draws); the browser side is ``chart.js``. Why: see there.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui


class Chart(ui.plotly, component="chart.js"):  # type: ignore[call-arg]
    def __init__(self, figure: dict[str, Any] | None = None) -> None:
        super().__init__(figure or {"data": [], "layout": {}})

    def show(self, figure: dict[str, Any]) -> None:
        """Send ``figure`` when it differs from the one shown; an unchanged chart costs nothing."""
        if self.figure != figure:
            self.update_figure(figure)
