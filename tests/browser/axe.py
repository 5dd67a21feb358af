"""axe-core in the page under test, from the copy in ``assets/`` (no network): the WCAG 2.1 A/AA
rules and axe's best practices, and the violations that matter (serious and critical)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "assets" / "axe.min.js"
BLOCKING = ("serious", "critical")

RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes
      .slice(0, 6)
      .map((n) => `${n.target.join(" ")} :: ${(n.failureSummary || "").replace(/\\s+/g, " ")}`),
  }));
}"""


async def violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical axe violations of what ``page`` shows now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = await page.evaluate(RUN)
    return [v for v in found if v["impact"] in BLOCKING]


def report(found: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)
