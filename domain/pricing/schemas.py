"""The estimate request and the estimate, as the API, the designer and scripts exchange them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from domain.engineering.schemas import SignInput

from .price_lists import LATEST, PriceListOverride, Version

Module = Literal[
    "signage.single_pole.direct_burial",
    "signage.single_pole.base_plate",
    "signage.two_pole.direct_burial",
    "signage.two_pole.base_plate",
]
MODULES: dict[str, tuple[int, str]] = {
    "signage.single_pole.direct_burial": (1, "direct_burial"),
    "signage.single_pole.base_plate": (1, "base_plate"),
    "signage.two_pole.direct_burial": (2, "direct_burial"),
    "signage.two_pole.base_plate": (2, "base_plate"),
}
"""Each module's pole count and mount; the input's ``supports`` must say the same."""

Group = Literal["materials", "cabinets", "labour", "equipment", "fees", "adjustments"]
GROUPS: tuple[Group, ...] = ("materials", "cabinets", "labour", "equipment", "fees", "adjustments")

# Exact in Python, a plain JSON number on the wire (cents are exact in a float's shortest repr).
Amount = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CabinetOption(_Model):
    # Strict: JSON `true` is not a face count, nor `1` a yes.
    illuminated: bool = Field(default=True, strict=True, description="Lit from inside.")
    faces: int = Field(
        default=2, ge=1, le=2, strict=True, description="1: single face; 2: double face (back to back)."
    )


class EstimateOptions(_Model):
    """What the engine input does not say but the price depends on."""

    cabinets: list[CabinetOption] | None = Field(
        default=None,
        max_length=10,
        description="One per cabinet of the input, same order; null: every cabinet illuminated, double "
        "face (the common pylon cabinet).",
    )
    calc_packet: bool = Field(
        default=False, strict=True, description="Add the calculation packet to the engineering fee."
    )
    hard_copies: int = Field(
        default=0, ge=0, le=20, strict=True, description="Hard copies of drawings and calcs, 0..20."
    )


class LineOverride(_Model):
    quantity: Decimal | None = Field(default=None, ge=0, le=1_000_000, allow_inf_nan=False)
    unit_price: Decimal | None = Field(default=None, ge=0, le=1_000_000, allow_inf_nan=False)


LineCode = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")]


class EstimateOverrides(PriceListOverride):
    """Any price of the list (same names and nesting), and per line a quantity or unit price."""

    lines: dict[LineCode, LineOverride] = Field(
        default_factory=dict,
        max_length=50,
        description="By line code (e.g. `concrete`, `labour.installation`): a quantity and/or unit price "
        "that replace the computed ones. Contingency and markup follow `contingency_percent` and `profit`.",
    )


class EstimateRequest(_Model):
    module: Module = Field(description="Design module; must agree with `input.supports` count and mount.")
    input: SignInput = Field(description="The `sign` calculation's input (POST /api/v1/calc/sign).")
    price_list: Version = Field(default=LATEST, description="Price list version.")
    overrides: EstimateOverrides = Field(default_factory=EstimateOverrides)
    options: EstimateOptions = Field(default_factory=EstimateOptions)


class LineItem(_Model):
    code: str = Field(description="Stable identifier of the line, e.g. `steel.Pipe10STD`, `concrete`.")
    label: str
    group: Group
    quantity: Amount
    unit: str = Field(description="lb, yd3, ft2, h, day, ea, or USD for a percentage of an amount.")
    unit_price: Amount
    amount: Amount = Field(description="quantity x unit price, rounded half up to the cent.")
    overridden: bool = Field(description="The quantity or unit price came from `overrides.lines`.")


class Estimate(_Model):
    module: str
    price_list: str
    currency: str
    line_items: list[LineItem]
    subtotals: dict[Group, Amount] = Field(description="By group, in the order of `line_items`' groups.")
    total: Amount
    assumptions: list[dict[str, str]] = Field(description="`{text, clause}` like the engine's.")
