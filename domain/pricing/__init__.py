"""SignX Studio pricing: the estimate of a sign from its design, on a versioned price list. Pure.

Public API::

    from domain.pricing import EstimateRequest, estimate, price_design, PRICE_LISTS
    est = estimate(EstimateRequest.model_validate(body))   # runs the engine, then prices it
    est = price_design(calc["result"], sign_input, PRICE_LISTS["v1"], module=...)  # a result in hand

See docs/pricing.md for the price list's fields, where each default comes from, and the sums.
"""

from .design import DesignFacts, design_facts
from .estimate import estimate, module_errors, price_design
from .price_lists import LATEST, PRICE_LISTS, VERSIONS, PriceList, apply_overrides, price_list
from .schemas import MODULES, Estimate, EstimateOptions, EstimateOverrides, EstimateRequest, LineItem

__all__ = [
    "LATEST",
    "MODULES",
    "PRICE_LISTS",
    "VERSIONS",
    "DesignFacts",
    "Estimate",
    "EstimateOptions",
    "EstimateOverrides",
    "EstimateRequest",
    "LineItem",
    "PriceList",
    "apply_overrides",
    "design_facts",
    "estimate",
    "module_errors",
    "price_design",
    "price_list",
]
