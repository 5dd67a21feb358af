"""Versioned price lists, loaded once from the packaged ``data/price-list-<version>.json`` files.

Why data files: a price changes far more often than code, and an estimate must be reproducible, so
each list is a frozen, named version; every estimate says which one it used, and a new list is a
new file (``v2``), never an edit of ``v1``. Each file carries a ``sources`` note per field saying
where its default comes from (docs/pricing.md lists them).

The bounds on every field are what a price list, or an estimate's override of it, may say: a
negative price is refused, and so is one no supplier could quote (a typing slip: $15,000/lb), so a
slip is a field error instead of an estimate off by orders of magnitude.
"""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

VERSIONS: tuple[str, ...] = ("v1",)
"""Every price list shipped, oldest first; each is ``data/price-list-<version>.json``."""

LATEST = VERSIONS[-1]

if TYPE_CHECKING:
    Version = str
else:
    Version = Literal[VERSIONS]

Family = Literal["pipe", "round_hss", "square_hss"]


def _price(le: int, description: str, *, ge: int = 0) -> Any:
    return Field(ge=ge, le=le, allow_inf_nan=False, description=description)


PerLb = Annotated[Decimal, _price(100, "$ per lb, 0..100.")]
Hours = Annotated[Decimal, _price(1000, "Hours, 0..1,000.")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CabinetPrices(_Section):
    illuminated_single_face: Decimal = _price(5000, "Illuminated single-face cabinet, $ per ft2 of face.")
    illuminated_double_face: Decimal = _price(5000, "Illuminated double-face cabinet, $ per ft2 of face.")
    non_illuminated_single_face: Decimal = _price(5000, "Non-illuminated single-face cabinet, $ per ft2.")
    non_illuminated_double_face: Decimal = _price(5000, "Non-illuminated double-face cabinet, $ per ft2.")


class FabricationHours(_Section):
    base: Hours = Field(description="Shop hours per job (set-up, layout), h.")
    per_100_lb_steel: Hours = Field(description="Hours per 100 lb of poles and plates, h.")
    per_pole: Hours = Field(description="Hours per pole (cutting, cap, hand hole), h.")
    per_anchor_hole: Hours = Field(description="Hours per anchor hole drilled in a base plate, h.")


class InstallationHours(_Section):
    base: Hours = Field(description="Hours per job: travel, loading and unloading, h.")
    per_pole: Hours = Field(description="Setting a pole, h.")
    per_yd3_concrete: Hours = Field(description="Digging the holes and pouring, h per yd3 of concrete.")
    per_cabinet: Hours = Field(description="Hanging and wiring a cabinet, h.")
    per_ft_overall_height: Hours = Field(description="Working at height, h per ft of overall height.")


class Equipment(_Section):
    bucket_truck_max_height_ft: Decimal = _price(
        200, "Tallest overall sign height a bucket truck reaches, ft; above it a crane is priced."
    )
    bucket_truck_per_day: Decimal = _price(20000, "Bucket truck, $ per day.")
    crane_per_day: Decimal = _price(50000, "Crane, $ per day.")
    hours_per_day: Decimal = _price(
        24, "Installation hours in a working day, 1..24 (days = hours / this).", ge=1
    )


class EngineeringFees(_Section):
    mode: Literal["flat", "percent"] = Field(
        description="'flat': the fee by overall height; 'percent': a share of the construction cost."
    )
    flat_fee_up_to_height: Decimal = _price(100000, "Flat fee up to the height limit, $.")
    flat_fee_height_limit_ft: Decimal = _price(
        200, "Overall height up to which the lower flat fee applies, ft."
    )
    flat_fee_above: Decimal = _price(100000, "Flat fee above the height limit, $.")
    percent_of_construction: Decimal = _price(100, "Percent of the construction cost in 'percent' mode.")
    calc_packet: Decimal = _price(100000, "Calculation packet add-on, $.")
    hard_copy_each: Decimal = _price(10000, "Each hard copy of the drawings and calculations, $.")


class Profit(_Section):
    mode: Literal["markup", "margin"] = Field(
        description="'markup': a percent added to the cost; 'margin': a percent of the selling price."
    )
    markup_percent: Decimal = _price(500, "Markup on cost, percent (0..500).")
    margin_percent: Decimal = _price(90, "Margin of the selling price, percent (0..90).")


NOT_PRICES = frozenset({"version", "currency", "effective", "sources"})


class PriceList(_Section):
    """One version of the prices; see docs/pricing.md for each field and its source."""

    version: str
    currency: Literal["USD"]
    effective: str = Field(description="Date the prices were set (ISO 8601).")
    steel_per_lb: dict[Family, dict[str, PerLb]] = Field(
        description="Pole steel, $ per lb, by section family then grade."
    )
    plate_per_lb: PerLb = Field(description="Base-plate steel, $ per lb.")
    anchor_rod_per_lb: PerLb = Field(description="Anchor rods with nuts and washers, $ per lb of rod.")
    concrete_per_yd3: Decimal = _price(5000, "Concrete in place, $ per yd3.")
    cabinet_per_ft2: CabinetPrices
    labour_rate_per_hour: Decimal = _price(1000, "Labour with truck, $ per hour.")
    fabrication_hours: FabricationHours
    installation_hours: InstallationHours
    equipment: Equipment
    permit_fee: Decimal = _price(100000, "Permit, $ per job.")
    engineering: EngineeringFees
    contingency_percent: Decimal = _price(100, "Contingency on the construction cost, percent (0..100).")
    profit: Profit
    sources: dict[str, str] = Field(description="Where each default comes from.")

    @model_validator(mode="after")
    def _every_field_has_a_source(self) -> PriceList:
        missing = (
            set(type(self).model_fields) - {"version", "currency", "effective", "sources"} - set(self.sources)
        )
        if missing:
            raise ValueError(f"price list {self.version}: no source for {', '.join(sorted(missing))}")
        return self


def _partial(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The same fields and bounds, every one optional: an estimate overrides only what it names."""
    fields: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        if field in NOT_PRICES:
            continue
        annotation: Any = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = _partial(annotation, f"{annotation.__name__}Override")
        elif info.metadata:
            annotation = Annotated[(annotation, *info.metadata)]
        fields[field] = (annotation | None, Field(default=None, description=info.description))
    return create_model(name, __base__=_Section, **fields)


if TYPE_CHECKING:

    class PriceListOverride(_Section):
        def __getattr__(self, name: str) -> Any: ...
else:
    PriceListOverride = _partial(PriceList, "PriceListOverride")


def _load(version: str) -> PriceList:
    text = (
        resources.files("domain.pricing")
        .joinpath("data")
        .joinpath(f"price-list-{version}.json")
        .read_text(encoding="utf-8")
    )
    data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    prices = PriceList.model_validate(data)
    if prices.version != version:  # a renamed file must not silently change the prices
        raise RuntimeError(f"price list file version {prices.version!r} != {version!r}")
    return prices


PRICE_LISTS: dict[str, PriceList] = {version: _load(version) for version in VERSIONS}


def price_list(version: str) -> PriceList:
    return PRICE_LISTS[version]


def apply_overrides(prices: PriceList, override: BaseModel, prefix: str = "overrides") -> PriceList:
    """``prices`` with the fields ``override`` names replaced.

    A steel price may only be overridden for a family and grade the list prices (a grade not made in
    that shape has no price to replace). Raises ``ValueError`` with ``(field, message)`` pairs."""
    changes = override.model_dump(exclude_none=True, exclude={"lines"})
    errors: list[tuple[str, str]] = []
    for family, grades in changes.get("steel_per_lb", {}).items():
        for grade in grades:
            if grade not in prices.steel_per_lb.get(family, {}):
                errors.append(
                    (
                        f"{prefix}.steel_per_lb.{family}.{grade}",
                        f"price list {prices.version} has no {family} steel in grade {grade!r}; "
                        f"one of {', '.join(prices.steel_per_lb.get(family, {}))}",
                    )
                )
    if errors:
        raise OverrideError(errors)
    merged = _merge(prices.model_dump(), changes)
    return PriceList.model_validate(merged)


class OverrideError(ValueError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged
