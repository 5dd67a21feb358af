"""The estimate of a sign: its design's bill of materials and headline numbers, priced line by line.

Order of the sums (docs/pricing.md): materials, cabinets, labour and equipment are the construction
cost; contingency is a percent of it; markup (or margin) applies to construction plus contingency;
fees (permit, engineering and its add-ons) pass through at cost. Every amount is a ``Decimal``
rounded half up to the cent from the line's rounded quantity and its unit price, so each line can be
checked by hand and equal inputs give byte-equal estimates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from domain.engineering import CalcInputError, calculate
from domain.engineering.schemas import SignInput
from domain.errors import InvalidInput

from .design import DesignFacts, design_facts
from .price_lists import OverrideError, PriceList, apply_overrides, price_list
from .schemas import (
    GROUPS,
    MODULES,
    CabinetOption,
    Estimate,
    EstimateOptions,
    EstimateRequest,
    LineItem,
    LineOverride,
)

CENT = Decimal("0.01")
QUARTER = Decimal("0.25")
HUNDRED = Decimal(100)
ADJUSTMENTS = ("contingency", "markup", "margin")


def estimate(request: EstimateRequest, *, result: Mapping[str, Any] | None = None) -> Estimate:
    """Design the sign with the engine and price it. Raises ``InvalidInput`` naming every bad field:
    the module against the input, options that do not fit the input, overrides, and the engine's own
    refusals (prefixed ``input.``). ``result``: the engine's result for ``request.input`` when the
    caller already has it (the designer runs the engine once per edit, not once more to price it)."""
    sign = request.input
    errors = module_errors(request.module, sign)
    options = request.options
    if options.cabinets is not None and len(options.cabinets) != len(sign.cabinets):
        errors.append(
            {
                "field": "options.cabinets",
                "message": f"give one entry per cabinet of the input ({len(sign.cabinets)}), or null",
            }
        )
    prices = price_list(request.price_list)
    try:
        prices = apply_overrides(prices, request.overrides)
    except OverrideError as exc:
        errors.extend({"field": f, "message": m} for f, m in exc.errors)
    if result is None:
        try:
            result = calculate("sign", sign.model_dump(mode="json", exclude_unset=True))["result"]
        except CalcInputError as exc:
            errors.extend({"field": f"input.{e['field']}", "message": e["message"]} for e in exc.errors)
    if errors or result is None:
        raise _invalid(errors)
    return price_design(
        result,
        sign,
        prices,
        module=request.module,
        options=options,
        lines=request.overrides.lines,
    )


def module_errors(module: str, sign: SignInput) -> list[dict[str, str]]:
    """The module must say what the input's supports say (pole count and mount): a field error
    naming ``module`` when it does not (the estimate and every saved design apply this rule)."""
    count, mount = MODULES[module]
    if (sign.supports.count, sign.supports.mount) == (count, mount):
        return []
    return [
        {
            "field": "module",
            "message": f"{module} is {count} pole(s), {mount}; the input has "
            f"supports.count {sign.supports.count}, supports.mount {sign.supports.mount}",
        }
    ]


def price_design(
    result: Mapping[str, Any],
    sign: SignInput,
    prices: PriceList,
    *,
    module: str,
    options: EstimateOptions | None = None,
    lines: Mapping[str, LineOverride] | None = None,
) -> Estimate:
    """Price a ``sign`` engine result (its ``result`` object) designed from ``sign``.

    ``lines`` replaces the quantity and/or unit price of lines by code; a code the estimate does not
    have, or an adjustment (contingency, markup, margin: set by percent), is a field error."""
    options = options or EstimateOptions()
    lines = lines or {}
    design = design_facts(result)
    items: list[LineItem] = []
    used: set[str] = set()

    def add(code: str, label: str, group: str, quantity: Decimal, unit: str, unit_price: Decimal) -> None:
        override = None if code in ADJUSTMENTS else lines.get(code)
        if override is not None:
            used.add(code)
            quantity = override.quantity if override.quantity is not None else quantity
            unit_price = override.unit_price if override.unit_price is not None else unit_price
        items.append(
            LineItem(
                code=code,
                label=label,
                group=group,  # type: ignore[arg-type]
                quantity=quantity,
                unit=unit,
                unit_price=unit_price,
                amount=_cents(quantity * unit_price),
                overridden=override is not None,
            )
        )

    def subtotal(*groups: str) -> Decimal:
        return sum((i.amount for i in items if i.group in groups), Decimal(0))

    _materials(add, design, prices)
    _cabinets(add, sign, prices, options)
    install_hours = _labour(add, design, sign, prices)
    _equipment(add, design, prices, install_hours)
    construction = subtotal("materials", "cabinets", "labour", "equipment")
    _fees(add, design, prices, options, construction)
    _adjustments(add, prices, construction)

    errors = [
        {"field": f"overrides.lines.{code}", "message": _line_refusal(code)}
        for code in sorted(set(lines) - used)
    ]
    if errors:
        raise _invalid(errors)

    subtotals = {group: subtotal(group) for group in GROUPS}
    return Estimate(
        module=module,
        price_list=prices.version,
        currency=prices.currency,
        line_items=items,
        subtotals=subtotals,  # type: ignore[arg-type]
        total=sum(subtotals.values(), Decimal(0)),
        assumptions=_assumptions(design, sign, prices, options),
    )


Add = Callable[[str, str, str, Decimal, str, Decimal], None]


def _materials(add: Add, design: DesignFacts, prices: PriceList) -> None:
    for p in design.poles:
        add(
            f"steel.{p.designation}",
            f"{p.designation} {p.grade} pole, {p.count} x {_num(p.length_ft)} ft",
            "materials",
            _cents(p.weight_lb),
            "lb",
            prices.steel_per_lb[p.family][p.grade],  # type: ignore[index]
        )
    for pl in design.plates:
        add(
            f"plate.{pl.grade}",
            f"{pl.grade} base plate, {pl.count} x {_num(pl.width_in)} in square x {_num(pl.thickness_in)} in",
            "materials",
            _cents(pl.weight_lb),
            "lb",
            prices.plate_per_lb,
        )
    for a in design.anchor_rods:
        add(
            f"anchor_rods.{a.grade}",
            f"{a.grade} anchor rods, {a.count} x {_num(a.diameter_in)} in dia. x {_num(a.length_in)} in",
            "materials",
            _cents(a.weight_lb),
            "lb",
            prices.anchor_rod_per_lb,
        )
    for i, c in enumerate(design.piers):
        add(
            "concrete" if i == 0 else f"concrete.{i + 1}",
            f"Concrete, {c.count} {c.shape} pier(s) {_num(c.width_ft)} ft x {_num(c.depth_ft)} ft deep",
            "materials",
            _cents(c.yd3),
            "yd3",
            prices.concrete_per_yd3,
        )


def _cabinet_options(sign: SignInput, options: EstimateOptions) -> list[CabinetOption]:
    return list(options.cabinets) if options.cabinets is not None else [CabinetOption()] * len(sign.cabinets)


def _cabinets(add: Add, sign: SignInput, prices: PriceList, options: EstimateOptions) -> None:
    for n, (cabinet, kind) in enumerate(zip(sign.cabinets, _cabinet_options(sign, options), strict=True), 1):
        lit = "illuminated" if kind.illuminated else "non_illuminated"
        face = "single_face" if kind.faces == 1 else "double_face"
        width, height = Decimal(repr(cabinet.width_ft)), Decimal(repr(cabinet.height_ft))
        add(
            f"cabinet.{n}",
            f"Cabinet {n}, {_num(width)} ft x {_num(height)} ft, {lit.replace('_', '-')}, "
            f"{face.replace('_', ' ')}",
            "cabinets",
            _cents(width * height),
            "ft2",
            getattr(prices.cabinet_per_ft2, f"{lit}_{face}"),
        )


def _labour(add: Add, design: DesignFacts, sign: SignInput, prices: PriceList) -> Decimal:
    f, i = prices.fabrication_hours, prices.installation_hours
    fabrication = _quarter_hours(
        f.base
        + f.per_100_lb_steel * design.steel_weight_lb / HUNDRED
        + f.per_pole * design.pole_count
        + f.per_anchor_hole * design.anchor_holes
    )
    installation = _quarter_hours(
        i.base
        + i.per_pole * design.pole_count
        + i.per_yd3_concrete * design.concrete_yd3
        + i.per_cabinet * len(sign.cabinets)
        + i.per_ft_overall_height * design.overall_height_ft
    )
    rate = prices.labour_rate_per_hour
    add(
        "labour.fabrication",
        f"Fabrication: {_num(_cents(design.steel_weight_lb))} lb of steel, {design.pole_count} pole(s), "
        f"{design.anchor_holes} anchor hole(s)",
        "labour",
        fabrication,
        "h",
        rate,
    )
    add(
        "labour.installation",
        f"Installation: travel and loading, {design.pole_count} pole(s), "
        f"{_num(_cents(design.concrete_yd3))} yd3 dug and poured, {len(sign.cabinets)} cabinet(s), "
        f"{_num(design.overall_height_ft)} ft overall",
        "labour",
        installation,
        "h",
        rate,
    )
    return installation


def _equipment(add: Add, design: DesignFacts, prices: PriceList, install_hours: Decimal) -> None:
    e = prices.equipment
    days = max(Decimal(1), (install_hours / e.hours_per_day).to_integral_value(ROUND_CEILING))
    if design.overall_height_ft <= e.bucket_truck_max_height_ft:
        code, label, rate = "equipment.bucket_truck", "Bucket truck", e.bucket_truck_per_day
    else:
        code, label, rate = "equipment.crane", "Crane", e.crane_per_day
    add(
        code,
        f"{label} ({_num(design.overall_height_ft)} ft overall; bucket truck up to "
        f"{_num(e.bucket_truck_max_height_ft)} ft)",
        "equipment",
        days,
        "day",
        rate,
    )


def _fees(
    add: Add, design: DesignFacts, prices: PriceList, options: EstimateOptions, construction: Decimal
) -> None:
    add("fees.permit", "Permit", "fees", Decimal(1), "ea", prices.permit_fee)
    eng = prices.engineering
    if eng.mode == "percent":
        add(
            "fees.engineering",
            f"Engineering, {_num(eng.percent_of_construction)} % of construction",
            "fees",
            construction,
            "USD",
            eng.percent_of_construction / HUNDRED,
        )
    else:
        limit = eng.flat_fee_height_limit_ft
        low = design.overall_height_ft <= limit
        add(
            "fees.engineering",
            f"Engineering, flat fee {'up to' if low else 'above'} {_num(limit)} ft overall",
            "fees",
            Decimal(1),
            "ea",
            eng.flat_fee_up_to_height if low else eng.flat_fee_above,
        )
    if options.calc_packet:
        add("fees.calc_packet", "Calculation packet", "fees", Decimal(1), "ea", eng.calc_packet)
    if options.hard_copies:
        add("fees.hard_copies", "Hard copies", "fees", Decimal(options.hard_copies), "ea", eng.hard_copy_each)


def _adjustments(add: Add, prices: PriceList, construction: Decimal) -> None:
    pct = prices.contingency_percent
    add(
        "contingency",
        f"Contingency, {_num(pct)} % of construction",
        "adjustments",
        construction,
        "USD",
        pct / HUNDRED,
    )
    base = construction + _cents(construction * pct / HUNDRED)
    profit = prices.profit
    if profit.mode == "markup":
        rate = profit.markup_percent / HUNDRED
        add("markup", f"Markup, {_num(profit.markup_percent)} % on cost", "adjustments", base, "USD", rate)
    else:
        # A margin m of the selling price is a markup of m / (1 - m) on cost (20 % margin = 25 % markup).
        m = profit.margin_percent / HUNDRED
        rate = (m / (1 - m)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
        label = (
            f"Margin, {_num(profit.margin_percent)} % of the selling price (markup {_num(rate * HUNDRED)} %)"
        )
        add("margin", label, "adjustments", base, "USD", rate)


def _assumptions(
    design: DesignFacts, sign: SignInput, prices: PriceList, options: EstimateOptions
) -> list[dict[str, str]]:
    clause = f"price list {prices.version}"
    notes = [
        {
            "text": "Fees (permit, engineering, add-ons) at cost; contingency on construction (materials, "
            "cabinets, labour, equipment); markup or margin on construction plus contingency.",
            "clause": clause,
        }
    ]
    if options.cabinets is None:
        notes.append(
            {
                "text": f"All {len(sign.cabinets)} cabinet(s) priced as illuminated, double face "
                "(the input does not say; set options.cabinets).",
                "clause": clause,
            }
        )
    if design.anchor_rods:
        notes.append(
            {
                "text": "Anchor rods priced by the weight of the plain rod (490 lb/ft3); nuts, washers and "
                "the pier's anchor reinforcement are in the rod and concrete prices.",
                "clause": clause,
            }
        )
    if not design.passes:
        failing = ", ".join(design.failing_checks) or "see the checks"
        notes.append(
            {
                "text": f"The design does not pass ({failing}): "
                "this prices a sign that cannot be built as it stands.",
                "clause": "engine checks",
            }
        )
    return notes


def _line_refusal(code: str) -> str:
    if code in ADJUSTMENTS:
        return "contingency, markup and margin follow contingency_percent and profit; override those"
    return "this estimate has no such line"


def _invalid(errors: list[dict[str, str]]) -> InvalidInput:
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return InvalidInput(f"Invalid input: {names}.", fields=errors)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _quarter_hours(hours: Decimal) -> Decimal:
    """Labour is billed by the quarter hour, rounded up."""
    return ((hours / QUARTER).to_integral_value(ROUND_CEILING) * QUARTER).quantize(CENT)


def _num(value: Decimal) -> str:
    """A quantity for a label: 9.5, not 9.50000; 21, not 2.1E+1."""
    text = f"{value.normalize():f}"
    return text
