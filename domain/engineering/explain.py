"""Numbers as a calculation package prints them, for the formula texts of checks and steps.

Why one formatter: every substitution string must show the numbers the engine used, rounded the same
way everywhere (4 significant figures, thousands separated, trailing zeros dropped), so that a plan
reviewer (and a test) can recompute each printed result from the printed values within rounding.
"""

from __future__ import annotations

import math

from .results import CalcStep

__all__ = ["SIGNIFICANT", "CalcStep", "demand_capacity", "num", "qty", "ratio_text", "step"]

SIGNIFICANT = 4


def num(x: float, sig: int = SIGNIFICANT) -> str:
    """``x`` to ``sig`` significant figures in fixed notation: 29.9026 -> '29.9', 0.902622 -> '0.9026',
    47599.3 -> '47,599', 115.0 -> '115'; 'inf' for a non-finite value."""
    if sig == SIGNIFICANT:
        # Fast path (most numbers): '.4g' gives the same digits in fixed notation between 1e-4 and
        # 1e4, trailing zeros already dropped; four-digit integers get their thousands comma.
        text = f"{x:.4g}"
        if "e" not in text:
            if "." in text:  # the common case: a fraction in fixed notation
                return text
            if "n" not in text:  # an integer ('inf' and 'nan' take the slow path)
                if len(text) < 4 and text != "-0":  # up to three characters: no comma to add
                    return text
                if text in ("0", "-0"):
                    return "0"
                return text if len(text.lstrip("-")) < 4 else f"{int(text):,}"
    if not math.isfinite(x):
        return "inf"
    if x == 0:
        return "0"
    decimals = max(sig - 1 - math.floor(math.log10(abs(x))), 0)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def qty(x: float, unit: str, sig: int = SIGNIFICANT) -> str:
    """A number with its unit: '29.9 psf'; no unit for a dimensionless value."""
    if unit and sig == SIGNIFICANT:
        text = f"{x:.4g}"  # num's first test, inline: most quantities are fractions
        if "." in text and "e" not in text:
            return f"{text} {unit}"
    return f"{num(x, sig)} {unit}" if unit else num(x, sig)


def demand_capacity(demand: float, capacity: float, unit: str) -> tuple[str, str, str]:
    """'demand 12.3 kip, capacity 45.6 kip' and the two numbers as :func:`num` writes them (a check
    built from them reuses the numbers for its ratio)."""
    d, c = num(demand), num(capacity)
    if unit:
        return f"demand {d} {unit}, capacity {c} {unit}", d, c
    return f"demand {d}, capacity {c}", d, c


def ratio_text(demand_symbol: str, capacity_symbol: str, demand: float, capacity: float, ratio: float) -> str:
    """'Mu / phi Mn = 365.8 / 525.8 = 0.6957'."""
    return (
        f"{demand_symbol} / {capacity_symbol} = {num(demand)} / {num(capacity)} = "
        f"{num(ratio) if math.isfinite(ratio) else 'inf'}"
    )


def step(
    quantity: str, symbol: str, formula: str, substitution: str, value: float, unit: str, clause: str
) -> CalcStep:
    """A step whose substitution ends with its result: '... = 29.9 psf'."""
    return CalcStep(quantity, symbol, formula, f"{substitution} = {qty(value, unit)}", value, unit, clause)
