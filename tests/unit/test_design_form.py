"""The designer's pure parts: form state <-> engine payload, evaluation, and the figures."""

from __future__ import annotations

import pytest

from domain.engineering.examples import SIGN_EXAMPLE
from pages import design_charts, design_state
from pages.design_state import FIELDS


def test_a_new_design_starts_from_the_worked_example_and_a_saved_one_from_its_input():
    assert design_state.state_from(None) == SIGN_EXAMPLE
    saved = {**SIGN_EXAMPLE, "clearance_ft": 9}
    state = design_state.state_from(saved)
    assert state == saved and state is not saved


def test_hints_give_the_schema_bounds_with_units():
    assert FIELDS["site.wind_speed_mph"].hint == "50–250 mph"
    assert FIELDS["cabinets.{i}.depth_in"].hint == "0.125–120 in; empty: 12 in"
    assert FIELDS["foundation.diameter_ft"].hint.endswith("empty: auto")


def test_values_are_written_by_path_and_whole_numbers_stay_ints():
    state = design_state.default_state()
    spec = FIELDS["site.wind_speed_mph"]
    new = design_state.put(state, "site.wind_speed_mph", design_state.coerce(spec, 130.0))
    assert new["site"]["wind_speed_mph"] == 130 and isinstance(new["site"]["wind_speed_mph"], int)
    assert state["site"]["wind_speed_mph"] == 115  # the old state is untouched
    new = design_state.put(
        new, "cabinets.0.depth_in", design_state.coerce(FIELDS["cabinets.{i}.depth_in"], None)
    )
    assert new["cabinets"][0]["depth_in"] is None
    assert design_state.coerce(FIELDS["supports.designation"], design_state.AUTO) is None
    # Unchanged designs fingerprint the same; a change does not.
    assert design_state.fingerprint(
        design_state.put(state, "site.wind_speed_mph", 115)
    ) == design_state.fingerprint(state)
    assert design_state.fingerprint(new) != design_state.fingerprint(state)


def test_a_fixed_section_of_another_family_goes_back_to_auto():
    state = design_state.put(design_state.default_state(), "supports.designation", "Pipe12STD")
    assert design_state.put(state, "supports.family", "pipe")["supports"]["designation"] == "Pipe12STD"
    assert design_state.put(state, "supports.family", "square_hss")["supports"]["designation"] is None


def test_cabinets_are_added_removed_and_reordered_but_never_fewer_than_one():
    state = design_state.add_cabinet(design_state.default_state())
    assert len(state["cabinets"]) == 2
    moved = design_state.move_cabinet(state, 1, -1)
    assert moved["cabinets"] == [state["cabinets"][1], state["cabinets"][0]]
    assert design_state.move_cabinet(state, 0, -1) == state
    one = design_state.remove_cabinet(state, 0)
    assert one["cabinets"] == [state["cabinets"][1]]
    assert design_state.remove_cabinet(one, 0) == one


def test_the_module_follows_the_supports():
    state = design_state.default_state()
    assert design_state.module_of(state) == "signage.single_pole.direct_burial"
    state = design_state.put(design_state.put(state, "supports.count", 2), "supports.mount", "base_plate")
    assert design_state.module_of(state) == "signage.two_pole.base_plate"


def test_input_errors_name_the_field_path():
    state = design_state.put(design_state.default_state(), "site.wind_speed_mph", 400)
    state = design_state.put(state, "cabinets.0.width_ft", None)
    errors = design_state.input_errors(state)
    assert set(errors) == {"site.wind_speed_mph", "cabinets.0.width_ft"}
    assert "250" in errors["site.wind_speed_mph"]
    assert design_state.input_errors(design_state.default_state()) == {}


def test_evaluate_gives_results_and_an_estimate_or_the_engines_field_errors():
    ev = design_state.evaluate(design_state.default_state())
    assert ev.ok and ev.result is not None and ev.result["pole"]["designation"] == "Pipe10STD"
    assert ev.estimate is not None and ev.estimate["price_list"] == "v1" and ev.estimate["total"] > 0
    bad = design_state.evaluate(design_state.put(design_state.default_state(), "clearance_ft", 199))
    assert not bad.ok and "clearance_ft" in bad.errors
    assert design_state.unplaced_errors(bad.errors) == {"cabinets": bad.errors["cabinets"]}


def test_ratio_colours():
    assert design_state.ratio_color(0.5) == "#2e7d32"
    assert design_state.ratio_color(0.95) == "#ef8f00"
    assert design_state.ratio_color(1.2) == "#c62828"


def _named(figure, name):
    return [s for s in figure["layout"]["shapes"] if s["name"] == name]


def test_the_elevation_draws_grade_pier_pole_cabinets_and_dimensions_to_scale():
    state = design_state.default_state()
    result = design_state.evaluate(state).result
    figure = design_charts.elevation(state, result)
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"
    (grade,) = _named(figure, "grade")
    assert grade["y0"] == grade["y1"] == 0
    (pier,) = _named(figure, "pier")
    embedment = result["foundation"]["embedment_ft"]
    assert pier["y0"] == -embedment and pier["x1"] - pier["x0"] == result["foundation"]["diameter_ft"]
    (pole,) = _named(figure, "pole")
    assert (pole["y0"], pole["y1"]) == (-embedment, 20.0)  # buried to the embedment, up to the top
    (cabinet,) = _named(figure, "cabinet 1")
    assert (cabinet["x0"], cabinet["x1"], cabinet["y0"], cabinet["y1"]) == (-6, 6, 14, 20)
    (clearance,) = _named(figure, "clearance")
    assert (clearance["y0"], clearance["y1"]) == (0, 14)
    (overall,) = _named(figure, "overall height")
    assert overall["y1"] == 20
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert "overall 20 ft" in texts and "clearance 14 ft" in texts
    assert any(t.startswith("Case A") for t in texts) and any(t.startswith("Case B") for t in texts)


def test_two_poles_are_drawn_at_their_spacing_and_stacked_cabinets_top_first():
    state = design_state.put(design_state.default_state(), "supports.count", 2)
    state = design_state.put(state, "supports.spacing_ft", 8)
    state = design_state.add_cabinet(state)
    result = design_state.evaluate(state).result
    figure = design_charts.elevation(state, result)
    poles = _named(figure, "pole")
    assert [round((p["x0"] + p["x1"]) / 2, 6) for p in poles] == [-4, 4]
    top, below = _named(figure, "cabinet 1")[0], _named(figure, "cabinet 2")[0]
    assert top["y0"] == below["y1"] and below["y0"] == 14


def test_the_utilisation_chart_has_one_bar_per_check_coloured_by_ratio():
    checks = [
        {"name": "pole flexure", "ratio": 0.4, "clause": "F8-1"},
        {"name": "embedment depth", "ratio": 1.3, "clause": "18-1"},
    ]
    figure = design_charts.utilisation(checks)
    (bars,) = figure["data"]
    assert bars["y"] == ["pole flexure", "embedment depth"] and bars["x"] == [0.4, 1.3]
    assert bars["marker"]["color"] == ["#2e7d32", "#c62828"]
    assert bars["hovertext"] == ["F8-1", "18-1"]
    (limit,) = figure["layout"]["shapes"]
    assert limit["x0"] == limit["x1"] == 1


def test_base_plate_and_geotechnical_fields_take_their_bounds_from_the_schema():
    assert FIELDS["base_plate.bolt_circle_in"].hint == "6–120 in; empty: auto"
    assert FIELDS["base_plate.concrete_fc_psi"].hint == "2500–10000 psi; empty: 3000 psi"
    assert FIELDS["foundation.lateral_bearing_psf_per_ft"].hint.startswith("25–2400 psf/ft")
    shear = dict(FIELDS["base_plate.anchor_shear_reinforcement"].options)
    assert set(shear) == {"none", "ties", "hairpins"}
    # A plate option on a sign with no plate options yet creates them; leaving plates drops them.
    state = design_state.put(design_state.default_state(), "supports.mount", "base_plate")
    state = {**state, "base_plate": None}
    state = design_state.put(state, "base_plate.anchor_shear_reinforcement", "ties")
    assert state["base_plate"] == {"anchor_shear_reinforcement": "ties"}
    evaluation = design_state.evaluate(state)
    assert evaluation.ok and evaluation.result is not None
    assert evaluation.result["base_plate"]["plate_width_in"] > 0

    def breakout(result: dict) -> float:
        return next(c["ratio"] for c in result["checks"] if c["name"] == "anchor concrete shear breakout")

    plain = design_state.evaluate(design_state.put(state, "base_plate.anchor_shear_reinforcement", "none"))
    assert plain.result is not None
    assert breakout(evaluation.result) < breakout(plain.result)  # ties: psi_c,V = 1.2
    assert "base_plate" not in design_state.put(state, "supports.mount", "direct_burial")
    bad = design_state.put(state, "foundation.lateral_bearing_psf_per_ft", 10)
    assert "foundation.lateral_bearing_psf_per_ft" in design_state.input_errors(bad)


def test_pricing_overrides_lines_and_cabinet_types_change_the_estimate():
    state = design_state.default_state()
    plain = design_state.evaluate(state).estimate
    assert plain is not None
    pricing = design_state.set_line({}, "concrete", "unit_price", 250)
    pricing = design_state.set_pricing(pricing, "overrides.contingency_percent", 0)
    pricing = design_state.set_cabinet_option(pricing, 1, 0, "illuminated", False)
    priced = design_state.evaluate(state, pricing=pricing).estimate
    assert priced is not None
    lines = {i["code"]: i for i in priced["line_items"]}
    assert lines["concrete"]["unit_price"] == 250 and lines["concrete"]["overridden"]
    assert lines["contingency"]["amount"] == 0
    assert (
        "Non-illuminated" in lines["cabinet.1"]["label"]
        or lines["cabinet.1"]["unit_price"]
        != next(i for i in plain["line_items"] if i["code"] == "cabinet.1")["unit_price"]
    )
    assert priced["total"] != plain["total"]
    # Resetting a line and setting the list's own value remove the overrides.
    reset = design_state.reset_line(pricing, "concrete")
    assert "lines" not in reset.get("overrides", {})
    assert design_state.set_pricing(pricing, "overrides.contingency_percent", 20) == {
        k: v for k, v in pricing.items() if k != "overrides"
    } | {"overrides": {"lines": {"concrete": {"unit_price": 250}}}}
    assert design_state.fingerprint(state, pricing) != design_state.fingerprint(state)
    # A bad value is a field error; a line the design no longer has is left out and named.
    assert "overrides.lines.concrete.unit_price" in design_state.pricing_errors(
        design_state.set_line({}, "concrete", "unit_price", -1)
    )
    stale = design_state.evaluate(state, pricing=design_state.set_line({}, "steel.Pipe4STD", "quantity", 1))
    assert stale.stale_lines == ("steel.Pipe4STD",) and stale.estimate is not None


def test_cabinet_types_follow_their_cabinets():
    pricing = design_state.set_cabinet_option({}, 2, 1, "faces", 1)
    assert design_state.cabinet_option(pricing, 0) == {"illuminated": True, "faces": 2}
    moved = design_state.restack_cabinet_options(pricing, "move", 1, -1)
    assert design_state.cabinet_option(moved, 0)["faces"] == 1
    removed = design_state.restack_cabinet_options(moved, "remove", 0)
    assert design_state.get(removed, "options.cabinets") == [{"illuminated": True, "faces": 2}]
    assert design_state.fit_cabinet_options(pricing, 3)["options"]["cabinets"][2]["faces"] == 2


def test_a_draft_round_trips_and_a_bad_one_is_dropped():
    state = design_state.put(design_state.default_state(), "site.wind_speed_mph", 130)
    draft = design_state.make_draft(state, {"overrides": {"contingency_percent": 5}}, 3)
    restored = design_state.read_draft(draft)
    assert restored == (state, {"overrides": {"contingency_percent": 5}}, 3)
    assert design_state.read_draft({"input": {"cabinets": []}}) is None
    assert design_state.read_draft("junk") is None
    assert design_state.draft_key("u1", "p1") != design_state.draft_key("u2", "p1")


def test_velocity_pressure_profile_meets_the_engines_qh_at_the_top():
    evaluation = design_state.evaluate(design_state.default_state())
    assert evaluation.result is not None
    figure = design_charts.velocity_pressure_profile(evaluation.result)
    line = figure["data"][0]
    top = evaluation.result["geometry"]["top_height_ft"]
    qh = evaluation.result["wind"]["qh_psf"]
    # qz at the top of the sign, by the wind module's functions, is the engine's qh.
    from domain.engineering.wind import kz, velocity_pressure

    wind = evaluation.result["wind"]
    assert velocity_pressure(wind["code"], kz(wind["code"], "C", top), 1.0, wind["ke"], 115) == pytest.approx(
        qh, rel=1e-4
    )
    assert line["x"] == sorted(line["x"])  # pressure grows with height
    assert line["y"][-1] > top and figure["data"][1]["x"] == [qh]
    sign = figure["layout"]["shapes"][0]
    assert (sign["y0"], sign["y1"]) == (top - evaluation.result["geometry"]["sign_height_ft"], top)


def test_estimate_breakdown_has_one_bar_per_group_summing_to_the_total():
    est = design_state.evaluate(design_state.default_state()).estimate
    assert est is not None
    bar = design_charts.estimate_breakdown(est)["data"][0]
    assert bar["y"] == [g for g, v in est["subtotals"].items() if v]
    assert sum(bar["x"]) == pytest.approx(est["total"])


def test_resultant_labels_sit_beside_the_cabinets_not_on_them():
    state = design_state.default_state()
    result = design_state.evaluate(state).result
    assert result is not None
    figure = design_charts.elevation(state, result)
    half_width = max(c["width_ft"] for c in state["cabinets"]) / 2
    arrows = [a for a in figure["layout"]["annotations"] if a["name"].startswith("resultant")]
    assert len(arrows) == 2
    for arrow in arrows:
        assert abs(arrow["x"]) == half_width  # the head on the sign's edge
        assert arrow["axref"] == "x" and abs(arrow["ax"]) > half_width  # the label outside it
        assert arrow["xanchor"] == ("right" if arrow["ax"] < 0 else "left")
    dims = [s for s in figure["layout"]["shapes"] if s["name"] in ("overall height", "clearance")]
    assert all(s["x0"] > max(abs(a["ax"]) for a in arrows) for s in dims)


def test_a_changed_input_is_named_as_the_form_names_it():
    assert design_state.field_label("site.wind_speed_mph") == "Wind speed V (mph)"
    assert design_state.field_label("cabinets.1.width_ft") == "Cabinet 2: Width (ft)"
    assert design_state.field_label("criteria.method") == "criteria.method"  # no field on the form


def test_no_dimension_text_crosses_a_dimension_line():
    """The clearance line used to run through the "overall ..." text beside it."""
    state = design_state.default_state()
    result = design_state.evaluate(state).result
    assert result is not None
    figure = design_charts.elevation(state, result)
    (overall,) = _named(figure, "overall height")
    (clearance,) = _named(figure, "clearance")
    texts = {a["text"].split()[0]: a for a in figure["layout"]["annotations"] if a["name"] == a["text"]}
    # The overall height's text reads outwards from the outermost line, the clearance's inwards.
    assert overall["x0"] > clearance["x0"]
    assert texts["overall"]["x"] == overall["x0"] and texts["overall"]["xanchor"] == "left"
    assert texts["clearance"]["x"] == clearance["x0"] and texts["clearance"]["xanchor"] == "right"
    assert figure["layout"]["xaxis"]["range"][1] > overall["x0"]


def test_numbers_are_shown_without_exponents():
    from components.design_results import show

    assert show(27385.05) == "27,385"
    assert show(8.463) == "8.463"
    assert show(None) == "—" and show(True) == "yes" and show(12) == "12"
