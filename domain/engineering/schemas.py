"""Input models of the four calculation kinds (pydantic v2; pure data, no I/O).

Why pydantic here: the same models validate the CLI/API payloads and generate the OpenAPI request
bodies, so grades and designations appear as enums (generated from the shipped catalogue) and every
field documents its unit. ``extra='forbid'`` rejects misspelt fields instead of silently ignoring
them; ``strict`` refuses "115" for a number; ``allow_inf_nan=False`` refuses NaN and infinity.
Bounds reject absurd sizes: every number has a realistic range for a sign structure, and each
field's description says why its limits are where they are (the limits appear in the OpenAPI
schema and in docs/engineering.md). Cross-field rules live in ``envelope._semantic_errors``; a
result that is still absurd for in-range inputs (an embedment deeper than a pier can be drilled)
is refused by the calculation itself with a CalcInputError naming the inputs that drive it.
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
ShearReinforcement = Literal["none", "ties", "hairpins"]

assert set(DeflectionLimit.__args__) == set(CONSTANTS["pole"]["deflection_limits"])  # type: ignore[attr-defined]

MAX_TOP_HEIGHT_FT = 200.0
"""Tallest sign (top of the sign = pole height above grade) the engine accepts, ft.

Why 200 ft: the tallest highway pylon signs are around 100-150 ft; above 200 ft a pole is a tower
whose dynamic response needs more than the single-mode gust-effect factor Gf (ASCE 7 Sec. 26.11.5)
the ``sign`` kind computes for flexible poles. The ``pole`` kind's height, the ``wind`` kind's top
height, the ``embedment`` kind's force height and the ``sign`` kind's clearance + cabinet heights
share this limit."""


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


WindSpeed = Annotated[
    float,
    Field(
        ge=50,
        le=250,
        description="Basic (ultimate, strength-level) wind speed V, mph, "
        "from the ASCE 7 risk-category map (Sec. 26.5). 50..250: reduced speeds for serviceability or "
        "temporary signs go below the mapped values; the highest mapped speeds (hurricane coasts, "
        "Pacific territories) are near 200 mph, and 250 leaves room for special wind regions.",
    ),
]
Kzt = Annotated[
    float,
    Field(
        ge=1.0,
        le=3.2,
        description="Topographic factor Kzt (Sec. 26.8), dimensionless; 1.0 on flat sites. 1..3.2: "
        "(1 + K1 K2 K3)^2 peaks at (1 + 0.775)^2 = 3.15 at the crest of a 2-D ridge, exposure D, "
        "H/Lh >= 0.5 (Fig. 26.8-1).",
    ),
]
Elevation = Annotated[
    float | None,
    Field(
        ge=-300,
        le=15000,
        description="Ground elevation above sea level, ft, for Ke (Table 26.9-1); null: Ke = 1.0. "
        "-300..15000: Death Valley (-282 ft) to above the contiguous US's highest summit (14,505 ft).",
    ),
]
SolidRatio = Annotated[
    float,
    Field(
        ge=0.7,
        le=1.0,
        description="Solid area / gross area of the face (epsilon), "
        "0.7..1; below 0.7 the sign is an open sign (not covered; Fig. 29.3-1 note).",
    ),
]
ReturnCorner = Annotated[
    float,
    Field(
        ge=0,
        le=100,
        description="Length of a return corner Lr, ft (Case C reduction); 0 for none. "
        "0..100: no longer than the widest sign; the reduction is constant from Lr/s = 2.",
    ),
]
# Sign and cabinet sizes share their bounds; each field adds its own meaning before the reason.
SignWidth = Annotated[float, Field(ge=0.5, le=100)]
_WIDTH_WHY = "0.5..100: a 6 in blade sign to a 100 ft spectacular (a standard bulletin billboard is 48 ft)."
SignHeight = Annotated[float, Field(ge=0.5, le=50)]
_HEIGHT_WHY = (
    "0.5..50: a 6 in strip to a 50 ft cabinet (a bulletin billboard is 14 ft); "
    "thinner strips give B/s ratios no sign has."
)
LateralBearing = Annotated[
    float | None,
    Field(
        ge=25,
        le=2400,
        description="Allowable lateral bearing, psf per ft of depth (geotechnical report); overrides "
        "soil_class. 25..2400: IBC Table 1806.2 spans 100 (clay) to 1200 (bedrock); a report may give "
        "less for very soft soil (down to 1/4 of class 5) or up to twice class 1 (the isolated-pole "
        "doubling of Sec. 1806.3.4 already applied).",
    ),
]
PierDiameter = Annotated[float, Field(ge=0.5, le=20)]
_PIER_WHY = "0.5..20: a 6 in post hole to the largest drilled shaft; wider footings are spread footings."


class WindInput(_Input):
    """``wind``: ASCE 7 Sec. 29.3 design wind on one solid freestanding sign face."""

    code: Code = Field(description="ASCE 7 edition: 'asce7-16' or 'asce7-22'.")
    wind_speed_mph: WindSpeed
    exposure: Exposure = Field(description="Exposure category B, C or D (Sec. 26.7).")
    kzt: Kzt = 1.0
    ground_elevation_ft: Elevation = None
    width_ft: float = Field(
        ge=0.5,
        le=1000,
        description="Horizontal dimension of the sign or freestanding wall B, ft. 0.5..1000: a 6 in "
        "blade sign to a 1,000 ft solid screen or monument wall (ASCE 7 Sec. 29.3 covers solid "
        "freestanding walls; Fig. 29.3-1 tabulates B/s up to '>= 45', used beyond it).",
    )
    height_ft: SignHeight = Field(description="Vertical dimension of the sign s, ft. " + _HEIGHT_WHY)
    top_height_ft: float = Field(
        ge=0.5,
        le=MAX_TOP_HEIGHT_FT,
        description="Height of the top of the sign above grade h, ft (>= height_ft). 0.5..200: a sign "
        "at grade to the tallest pylon (above 200 ft a pole is a dynamically sensitive tower).",
    )
    solid_ratio: SolidRatio = 1.0
    return_corner_ft: ReturnCorner = 0.0


class EmbedmentInput(_Input):
    """``embedment``: IBC 2021 Sec. 1807.3.2 embedment of one pole footing."""

    lateral_force_lb: float = Field(
        ge=1,
        le=500_000,
        description="Lateral force P at ASD level (0.6W), lb. 1..500,000: about the largest ASD "
        "lateral force a catalogue pole can carry (1,700 kip-ft allowable moment of HSS28.000X1.000 "
        "at a 3.4 ft resultant height).",
    )
    force_height_ft: float = Field(
        gt=0,
        le=MAX_TOP_HEIGHT_FT,
        description="Height h of P above grade, ft. Up to 200: the tallest sign the engine accepts.",
    )
    diameter_ft: PierDiameter = Field(
        description="Footing diameter (round) or side (square), ft. " + _PIER_WHY
    )
    shape: Shape = Field(
        default="round", description="Footing shape; a square footing uses its diagonal as b."
    )
    soil_class: SoilClass | None = Field(
        default=None,
        description="IBC Table 1806.2 class 1..5; null with no lateral_bearing_psf_per_ft: class 5 assumed.",
    )
    lateral_bearing_psf_per_ft: LateralBearing = None
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
        "method's level (ASD: from D + 0.6W; LRFD: from 1.2D + 1.0W). Up to 10,000,000: about 3.5 x "
        "the plastic moment of the strongest catalogue section (HSS28.000X1.000, 2,840 kip-ft at 50 ksi).",
    )
    shear_lb: float = Field(
        default=0.0,
        ge=0,
        le=1_000_000,
        description="Required shear strength, lb. Up to 1,000,000: about the nominal shear strength of "
        "the largest catalogue section (HSS28.000X1.000, 0.6 Fy Ag / 2 = 1,190 kip at 50 ksi).",
    )
    torsion_ft_lb: float = Field(
        default=0.0,
        ge=0,
        le=10_000_000,
        description="Required torsional strength, ft-lb. Up to 10,000,000: about 4 x the torsional "
        "strength of the largest catalogue section (HSS28.000X1.000, 0.6 Fy C = 2,575 kip-ft at 50 ksi).",
    )
    axial_lb: float = Field(
        default=0.0,
        ge=0,
        le=1_000_000,
        description="Required axial compression, lb (needs height_ft). Up to 1,000,000: twice the "
        "dead load of the largest cabinet (100 ft x 50 ft at 100 psf).",
    )
    height_ft: float | None = Field(
        default=None,
        ge=0.5,
        le=MAX_TOP_HEIGHT_FT,
        description="Pole height above the base, ft (shear and "
        "torsion lengths, axial buckling, weight); null: lower-bound strengths. 0.5..200: the pole "
        "heights of the sign kind (a sign at grade to the tallest pylon).",
    )
    method: Method = Field(default="asd", description="'asd' (Omega) or 'lrfd' (phi).")


class Site(_Input):
    wind_speed_mph: WindSpeed
    exposure: Exposure = Field(description="Exposure category B, C or D (Sec. 26.7).")
    kzt: Kzt = 1.0
    ground_elevation_ft: Elevation = None
    frost_depth_in: float | None = Field(
        default=None,
        ge=0,
        le=120,
        description="Local frost depth, in (set by the building official, IBC 2021 Sec. 1809.5); piers "
        "reach at least this deep. null: no frost depth, only the 12 in minimum of Sec. 1809.4. 0..120: "
        "frost-free sites to the deepest frost lines in the contiguous US (about 100 in).",
    )


class Cabinet(_Input):
    width_ft: SignWidth = Field(description="Cabinet width, ft (horizontal). " + _WIDTH_WHY)
    height_ft: SignHeight = Field(description="Cabinet height, ft (vertical). " + _HEIGHT_WHY)
    depth_in: float | None = Field(
        default=None,
        ge=0.125,
        le=120,
        description="Cabinet depth, in; null: 12 in. 0.125..120: a single-sheet flat panel to a "
        "walk-in cabinet.",
    )
    weight_psf: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Cabinet dead load per face area, psf; null: 10 psf. 0..100: typical cabinets "
        "weigh 5-20 psf and LED displays up to about 40; 100 psf covers a grouted 8 in masonry face.",
    )


class Supports(_Input):
    count: Literal[1, 2] = Field(default=1, description="Number of poles (two poles share the load).")
    spacing_ft: float | None = Field(
        default=None,
        ge=1,
        le=100,
        description="Centre-to-centre pole spacing, ft (two poles only); null: 0.6 x sign width. "
        "1..100: two posts side by side to the widest sign.",
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
    diameter_ft: PierDiameter | None = Field(
        default=None,
        description="Pier diameter (or side), ft; null: smallest 6 in step from pole + 4 in (base "
        "plate: bolt circle + 12 anchor diameters) giving depth <= 10 ft. "
        + _PIER_WHY
        + " A base-plate pier must also hold the bolt circle with 6 da edge distance each side "
        "(ACI 318-19 Sec. 17.9.2).",
    )
    soil_class: SoilClass | None = Field(
        default=None, description="IBC Table 1806.2 class 1..5; null: class 5."
    )
    lateral_bearing_psf_per_ft: LateralBearing = None
    isolated_pole_increase: bool = Field(default=False, description="Double lateral bearing (IBC 1806.3.4).")
    constrained: bool = Field(default=False, description="Constrained at grade (IBC 1807.3.2.2).")


class BasePlate(_Input):
    bolt_count: BoltCount | None = Field(default=None, description="Anchor rods per pole; null: choose.")
    bolt_diameter_in: BoltDiameter | None = Field(
        default=None, description="Anchor rod diameter, in; null: choose."
    )
    bolt_circle_in: float | None = Field(
        default=None,
        ge=6,
        le=120,
        description="Bolt circle diameter, in; null: pole + 2 (1.5 da + 1 in). 6..120: about the "
        "smallest circle (3/4 in rods around a 2 in pipe, 6.6 in) to three times the largest automatic "
        "circle (41 in); it must also clear the pole by the nut (OD + 1.5 da + 1/8 in).",
    )
    plate_width_in: float | None = Field(
        default=None,
        ge=6,
        le=144,
        description="Square plate width, in; null: choose. 6..144: the smallest bolt circle to the "
        "largest bolt circle plus 1.5 da edge distance each side (120 + 7.5 in), rounded up to 12 ft.",
    )
    plate_thickness_in: float | None = Field(
        default=None,
        ge=0.25,
        le=6,
        description="Plate thickness, in; null: choose. 0.25..6: the thinnest structural plate to twice "
        "the thickest stock size the auto-selection tries (3 in).",
    )
    plate_grade: PlateGrade | None = Field(default=None, description="Plate steel; null: A36.")
    anchor_grade: AnchorGrade | None = Field(default=None, description="Anchor rod grade; null: F1554-36.")
    anchor_embedment_in: float | None = Field(
        default=None,
        ge=6,
        le=96,
        description="Anchor embedment hef, in; null: choose. 6..96: the shortest cast-in anchor "
        "considered to 8 ft, well past the 36 in the auto-selection stops at.",
    )
    concrete_fc_psi: float | None = Field(
        default=None,
        ge=2500,
        le=10000,
        description="Pier concrete f'c, psi; null: 3000. 2500..10000: the least structural concrete "
        "(ACI 318-19 Table 19.2.1.1) to the most ACI 318-19 Sec. 17.3.1 lets anchor design use.",
    )
    anchor_reinforcement: bool = Field(
        default=True,
        description="Allow Grade 60 pier bars lapped with the anchors to "
        "replace plain-concrete breakout when it fails (ACI 318-19 17.5.2.1).",
    )
    anchor_shear_reinforcement: ShearReinforcement = Field(
        default="none",
        description="Reinforcement for anchor shear: 'none' (plain concrete, Condition B), 'ties' (No. 4 "
        "or larger pier ties between the anchors and the edge: psi_c,V = 1.2, Condition A, ACI 318-19 "
        "Table 17.7.2.5.1) or 'hairpins' (anchor reinforcement enclosing each anchor replaces concrete "
        "shear breakout, ACI 318-19 17.5.2.1).",
    )


class Criteria(_Input):
    method: Method = Field(default="asd", description="'asd' (default) or 'lrfd' for the steel checks.")
    deflection_limit: DeflectionLimit = Field(
        default="L/80",
        description="Top-of-pole deflection limit under 0.6W (practice default L/80; L/40 = AASHTO 2.5 %).",
    )
    damping_ratio: float = Field(
        default=CONSTANTS["wind"]["damping_ratio_default"]["value"],
        ge=0.002,
        le=0.05,
        description="Structural damping ratio beta (fraction of critical) for the gust-effect factor Gf "
        "of a flexible structure (ASCE 7 Sec. 26.11.5, n1 < 1 Hz); default 0.01, about 1 % for steel "
        "(ASCE 7-16 Commentary C26.11). 0.002..0.05: a bare welded steel pole (0.2 %) to a pole with "
        "an added damper (5 %); a lower ratio gives a larger Gf.",
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
    clearance_ft: float = Field(
        ge=0,
        le=MAX_TOP_HEIGHT_FT,
        description="Grade to the bottom of the lowest cabinet, ft. 0..200, and clearance + the "
        "cabinet heights (the top of the sign, the pole height) at most 200 ft: the tallest pylon "
        "signs are 100-150 ft; taller poles are towers (beyond the single-mode Gf of Sec. 26.11.5).",
    )
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
