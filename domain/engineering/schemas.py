"""Input models of the four calculation kinds (pydantic v2; pure data, no I/O).

Why pydantic here: the same models validate the CLI/API payloads and generate the OpenAPI request
bodies, so grades and designations appear as enums (generated from the shipped catalogue) and every
field documents its unit. ``extra='forbid'`` rejects misspelt fields instead of silently ignoring
them; ``strict`` refuses "115" for a number; ``allow_inf_nan=False`` refuses NaN and infinity.
Bounds reject absurd sizes; cross-field rules live in ``envelope._semantic_errors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from .constants import CONSTANTS
from .sections import DESIGNATIONS, GRADES

if TYPE_CHECKING:  # mypy sees plain strings; at runtime these are enums of the catalogue
    Designation = str
    Grade = str
    BoltDiameter = float
else:
    Designation = Literal[DESIGNATIONS]
    Grade = Literal[GRADES]
    # A Literal of floats is an enum in OpenAPI; mypy only allows it at runtime, hence the split.
    BoltDiameter = Literal[tuple(CONSTANTS["anchors"]["diameters_in"]["value"])]

Code = Literal["asce7-16", "asce7-22"]
Exposure = Literal["B", "C", "D"]
Method = Literal["asd", "lrfd"]
Family = Literal["pipe", "round_hss", "square_hss"]
Shape = Literal["round", "square"]
SoilClass = Literal[1, 2, 3, 4, 5]
Mount = Literal["direct_burial", "base_plate"]
DeflectionLimit = Literal["L/40", "L/60", "L/80", "L/100", "L/120", "L/150", "L/180", "L/240"]
AnchorGrade = Literal["F1554-36", "F1554-55", "F1554-105"]
PlateGrade = Literal["A36", "A572-50"]
BoltCount = Literal[4, 6, 8, 12]

assert set(DeflectionLimit.__args__) == set(CONSTANTS["pole"]["deflection_limits"])  # type: ignore[attr-defined]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


WindSpeed = Annotated[
    float,
    Field(
        ge=50,
        le=300,
        description="Basic (ultimate, strength-level) wind speed V, mph, "
        "from the ASCE 7 risk-category map (Sec. 26.5).",
    ),
]
Kzt = Annotated[
    float,
    Field(
        ge=1.0, le=3.0, description="Topographic factor Kzt (Sec. 26.8), dimensionless; 1.0 on flat sites."
    ),
]
Elevation = Annotated[
    float | None,
    Field(
        ge=-300,
        le=15000,
        description="Ground elevation above sea level, ft, for Ke (Table 26.9-1); null: Ke = 1.0.",
    ),
]
SolidRatio = Annotated[
    float,
    Field(
        ge=0.7,
        le=1.0,
        description="Solid area / gross area of the face (epsilon), "
        "0.7..1; below 0.7 the sign is an open sign (not covered).",
    ),
]
ReturnCorner = Annotated[
    float, Field(ge=0, le=100, description="Length of a return corner Lr, ft (Case C reduction); 0 for none.")
]


class WindInput(_Input):
    """``wind``: ASCE 7 Sec. 29.3 design wind on one solid freestanding sign face."""

    code: Code = Field(description="ASCE 7 edition: 'asce7-16' or 'asce7-22'.")
    wind_speed_mph: WindSpeed
    exposure: Exposure = Field(description="Exposure category B, C or D (Sec. 26.7).")
    kzt: Kzt = 1.0
    ground_elevation_ft: Elevation = None
    width_ft: float = Field(gt=0, le=200, description="Horizontal dimension of the sign B, ft.")
    height_ft: float = Field(gt=0, le=100, description="Vertical dimension of the sign s, ft.")
    top_height_ft: float = Field(
        gt=0, le=500, description="Height of the top of the sign above grade h, ft (>= height_ft)."
    )
    solid_ratio: SolidRatio = 1.0
    return_corner_ft: ReturnCorner = 0.0


class EmbedmentInput(_Input):
    """``embedment``: IBC 2021 Sec. 1807.3.2 embedment of one pole footing."""

    lateral_force_lb: float = Field(
        gt=0, le=1_000_000, description="Lateral force P at ASD level (0.6W), lb."
    )
    force_height_ft: float = Field(gt=0, le=500, description="Height h of P above grade, ft.")
    diameter_ft: float = Field(ge=0.5, le=20, description="Footing diameter (round) or side (square), ft.")
    shape: Shape = Field(
        default="round", description="Footing shape; a square footing uses its diagonal as b."
    )
    soil_class: SoilClass | None = Field(
        default=None,
        description="IBC Table 1806.2 class 1..5; null with no lateral_bearing_psf_per_ft: class 5 assumed.",
    )
    lateral_bearing_psf_per_ft: float | None = Field(
        default=None,
        gt=0,
        le=2000,
        description="Allowable lateral bearing, "
        "psf per ft of depth (geotechnical report); overrides soil_class.",
    )
    isolated_pole_increase: bool = Field(
        default=False,
        description="Double the lateral bearing for an isolated pole "
        "not adversely affected by 1/2 in motion at grade (IBC 1806.3.4).",
    )
    constrained: bool = Field(
        default=False, description="Constrained at grade by a slab or rigid floor (IBC 1807.3.2.2)."
    )


class PoleInput(_Input):
    """``pole``: AISC 360-16 check of one pole section for given required strengths."""

    designation: Designation = Field(
        description="AISC designation, e.g. 'Pipe8STD', 'HSS10.750X0.250', 'HSS8X8X1/4'."
    )
    grade: Grade | None = Field(default=None, description="Steel grade; null: A53B for pipe, A500C for HSS.")
    moment_ft_lb: float = Field(
        ge=0,
        le=10_000_000,
        description="Required flexural strength at the base, ft-lb, at the "
        "method's level (ASD: from D + 0.6W; LRFD: from 1.2D + 1.0W).",
    )
    shear_lb: float = Field(default=0.0, ge=0, le=1_000_000, description="Required shear strength, lb.")
    torsion_ft_lb: float = Field(
        default=0.0, ge=0, le=10_000_000, description="Required torsional strength, ft-lb."
    )
    axial_lb: float = Field(
        default=0.0, ge=0, le=1_000_000, description="Required axial compression, lb (needs height_ft)."
    )
    height_ft: float | None = Field(
        default=None,
        gt=0,
        le=200,
        description="Pole height above the base, ft (shear and "
        "torsion lengths, axial buckling, weight); null: lower-bound strengths.",
    )
    method: Method = Field(default="asd", description="'asd' (Omega) or 'lrfd' (phi).")


class Site(_Input):
    wind_speed_mph: WindSpeed
    exposure: Exposure = Field(description="Exposure category B, C or D (Sec. 26.7).")
    kzt: Kzt = 1.0
    ground_elevation_ft: Elevation = None


class Cabinet(_Input):
    width_ft: float = Field(gt=0, le=100, description="Cabinet width, ft (horizontal).")
    height_ft: float = Field(gt=0, le=50, description="Cabinet height, ft (vertical).")
    depth_in: float | None = Field(default=None, gt=0, le=120, description="Cabinet depth, in; null: 12 in.")
    weight_psf: float | None = Field(
        default=None, ge=0, le=200, description="Cabinet dead load per face area, psf; null: 10 psf."
    )


class Supports(_Input):
    count: Literal[1, 2] = Field(default=1, description="Number of poles (two poles share the load).")
    spacing_ft: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Centre-to-centre pole spacing, ft (two poles only); null: 0.6 x sign width.",
    )
    family: Family = Field(default="pipe", description="Section family for auto-selection.")
    grade: Grade | None = Field(default=None, description="Steel grade; null: A53B for pipe, A500C for HSS.")
    mount: Mount = Field(
        default="direct_burial", description="'direct_burial' (embedded pole) or 'base_plate' (anchored)."
    )
    designation: Designation | None = Field(
        default=None, description="Pole section; null: lightest passing in the family."
    )


class Foundation(_Input):
    shape: Shape = Field(default="round", description="Pier shape; a square pier uses its diagonal as b.")
    diameter_ft: float | None = Field(
        default=None,
        ge=0.5,
        le=20,
        description="Pier diameter (or side), ft; null: "
        "smallest 6 in step from pole + 4 in giving depth <= 10 ft.",
    )
    soil_class: SoilClass | None = Field(
        default=None, description="IBC Table 1806.2 class 1..5; null: class 5."
    )
    lateral_bearing_psf_per_ft: float | None = Field(
        default=None, gt=0, le=2000, description="Allowable lateral bearing, psf/ft; overrides soil_class."
    )
    isolated_pole_increase: bool = Field(default=False, description="Double lateral bearing (IBC 1806.3.4).")
    constrained: bool = Field(default=False, description="Constrained at grade (IBC 1807.3.2.2).")


class BasePlate(_Input):
    bolt_count: BoltCount | None = Field(default=None, description="Anchor rods per pole; null: choose.")
    bolt_diameter_in: BoltDiameter | None = Field(
        default=None, description="Anchor rod diameter, in; null: choose."
    )
    bolt_circle_in: float | None = Field(
        default=None, gt=0, le=120, description="Bolt circle diameter, in; null: pole + 2 (1.5 da + 1 in)."
    )
    plate_width_in: float | None = Field(
        default=None, gt=0, le=144, description="Square plate width, in; null: choose."
    )
    plate_thickness_in: float | None = Field(
        default=None, gt=0, le=6, description="Plate thickness, in; null: choose."
    )
    plate_grade: PlateGrade | None = Field(default=None, description="Plate steel; null: A36.")
    anchor_grade: AnchorGrade | None = Field(default=None, description="Anchor rod grade; null: F1554-36.")
    anchor_embedment_in: float | None = Field(
        default=None, ge=6, le=96, description="Anchor embedment hef, in; null: choose."
    )
    concrete_fc_psi: float | None = Field(
        default=None, ge=2500, le=10000, description="Pier concrete f'c, psi; null: 3000."
    )
    anchor_reinforcement: bool = Field(
        default=True,
        description="Allow Grade 60 pier bars lapped with the anchors to "
        "replace plain-concrete breakout when it fails (ACI 318-19 17.5.2.1).",
    )


class Criteria(_Input):
    method: Method = Field(default="asd", description="'asd' (default) or 'lrfd' for the steel checks.")
    deflection_limit: DeflectionLimit = Field(
        default="L/80",
        description="Top-of-pole deflection limit under 0.6W (practice default L/80; L/40 = AASHTO 2.5 %).",
    )


class SignInput(_Input):
    """``sign``: whole design of a pole sign: wind, poles, foundation or base plate, checks, BOM."""

    code: Code = Field(description="ASCE 7 edition: 'asce7-16' or 'asce7-22'.")
    site: Site
    cabinets: list[Cabinet] = Field(
        min_length=1,
        max_length=10,
        description="Cabinets stacked on one vertical axis, top first; the lowest sits at clearance_ft.",
    )
    clearance_ft: float = Field(ge=0, le=100, description="Grade to the bottom of the lowest cabinet, ft.")
    solid_ratio: SolidRatio = 1.0
    return_corner_ft: ReturnCorner = 0.0
    supports: Supports = Field(default_factory=Supports)
    foundation: Foundation = Field(default_factory=Foundation)
    base_plate: BasePlate | None = Field(
        default=None, description="Base-plate options (mount 'base_plate'); null: choose all."
    )
    criteria: Criteria = Field(default_factory=Criteria)


INPUT_MODELS: dict[str, type[BaseModel]] = {
    "wind": WindInput,
    "embedment": EmbedmentInput,
    "pole": PoleInput,
    "sign": SignInput,
}
