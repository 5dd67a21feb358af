"""Plain data in and out of the design service (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.engineering.schemas import SignInput
from domain.pricing.schemas import EstimateOptions, EstimateOverrides, Module
from domain.text import SingleLine

MAX_REVISION = 1_000_000
"""Revision numbers a request may name (1..this): far beyond any project's history, well inside
the database's integer."""

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SingleLine]


class DesignPricing(BaseModel):
    """How the revision's estimate is priced beyond the price list: the same ``overrides`` and
    ``options`` as an estimate request (contingency, markup or margin, per-line quantity or unit
    price, cabinet types, add-ons). Empty: the price list as it stands."""

    model_config = ConfigDict(extra="forbid")

    overrides: EstimateOverrides = Field(default_factory=EstimateOverrides)
    options: EstimateOptions = Field(default_factory=EstimateOptions)


class DesignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module: Module = Field(description="Design module; must agree with `input.supports` count and mount.")
    input: SignInput = Field(description="The `sign` calculation's input (POST /api/v1/calc/sign).")
    note: Note = Field("", description="Why this revision, up to 500 characters on one line.")
    pricing: DesignPricing = Field(
        default_factory=DesignPricing,
        description="Estimate overrides and options saved with the revision (as in POST /api/v1/estimate); "
        "omitted: the price list as it stands.",
    )


class DesignSummary(BaseModel):
    """A revision without its bulky parts: what a list of revisions shows."""

    project_id: str
    revision: int
    module: str
    sha256: str = Field(
        description="sha256 of the canonical JSON of `{module, input}` (and `pricing` when set)."
    )
    headline: dict[str, Any] = Field(
        description="Key results: pass, section, pole_count, governing_check, max_ratio, embedment_ft, "
        "pier_diameter_ft, concrete_yd3, steel_weight_lb, total."
    )
    created_at: datetime
    created_by: str
    created_by_email: str
    note: str


class DesignRevisionOut(DesignSummary):
    input: dict[str, Any] = Field(description="The validated `sign` input, as the engine received it.")
    result: dict[str, Any] = Field(description="The engine's `sign` result when saved.")
    trace: dict[str, Any] = Field(description="The engine's trace: versions, normalised inputs, hashes.")
    estimate: dict[str, Any] = Field(
        description="The estimate on the default price list when saved, with `pricing` applied."
    )
    pricing: dict[str, Any] = Field(
        default_factory=dict, description="The estimate overrides and options saved (only what was set)."
    )


class InputChange(BaseModel):
    path: str = Field(
        description="Dotted path of an input leaf, e.g. `site.wind_speed_mph`, `cabinets.0.width_ft`."
    )
    a: Any
    b: Any


class HeadlineComparison(BaseModel):
    path: str = Field(description="Key of `headline`.")
    label: str
    a: Any
    b: Any
    changed: bool


class DesignDiff(BaseModel):
    a: DesignSummary
    b: DesignSummary
    inputs: list[InputChange] = Field(
        description="Input leaves that differ (module included), on the engine's normalised inputs."
    )
    results: list[HeadlineComparison] = Field(description="Every headline result side by side.")


@dataclass(frozen=True)
class SavedDesign:
    revision: DesignRevisionOut
    created: bool
    """False when an identical design was already saved: ``revision`` is that one."""
    etag: str
    """The project's ETag after the save."""
