"""Collector for the assumptions, warnings and confidence a calculation accumulates.

Why a collector and not return tuples: every formula module states what it assumed at the point
where it assumes it (with the clause), and the envelope then reports them once, in order, without
duplicates, so a reviewing engineer can follow every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .results import Assumption, DesignWarning


@dataclass
class Notes:
    assumptions: list[Assumption] = field(default_factory=list)
    warnings: list[DesignWarning] = field(default_factory=list)
    #: Confidence starts at 1 and loses a named penalty for each unverified constant, simplified
    #: method or unchecked limit state the result depends on (heuristic, documented in docs).
    confidence: float = 1.0
    _seen: set[tuple[str, str]] = field(default_factory=set)
    _penalties: set[str] = field(default_factory=set)

    def assume(self, text: str, clause: str) -> None:
        key = (text, clause)
        if key not in self._seen:
            self._seen.add(key)
            self.assumptions.append(Assumption(text, clause))

    def warn(self, code: str, message: str) -> None:
        item = DesignWarning(code, message)
        if item not in self.warnings:
            self.warnings.append(item)

    def cap(self, limit: float) -> None:
        """A result that fails a check (or skips a limit state it should check) shows at most
        ``limit`` whatever its penalties."""
        self.confidence = min(self.confidence, limit)

    def penalise(self, reason: str, amount: float) -> None:
        """Lower the confidence once per distinct reason."""
        if reason not in self._penalties:
            self._penalties.add(reason)
            self.confidence = max(0.0, self.confidence - amount)
