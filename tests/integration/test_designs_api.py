"""Design revisions on the real stack (PostgreSQL): numbering, dedupe by sha256, If-Match, the
read-only refusal, the leave-draft guard, diffs, bad input and the audit event."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import math

import httpx

from domain.engineering.examples import SIGN_EXAMPLE
from tests.designs import FAILING, MODULE, PASSING

NEW = {"name": "Main St Pylon", "account_id": "ACME-01"}


async def new_project(http: httpx.AsyncClient, headers: dict[str, str]) -> tuple[str, str]:
    response = await http.post("/api/v1/projects", json=NEW, headers=headers)
    assert response.status_code == 201, response.text
    return response.headers["location"], response.headers["etag"]


async def save(
    http: httpx.AsyncClient, url: str, headers: dict[str, str], etag: str | None, body: dict
) -> httpx.Response:
    extra = {"If-Match": etag} if etag is not None else {}
    return await http.post(f"{url}/designs", json=body, headers={**headers, **extra})


def windier(mph: float) -> dict:
    body = copy.deepcopy(PASSING)
    body["input"]["site"]["wind_speed_mph"] = mph
    return body


async def test_revisions_are_numbered_per_project_and_identical_designs_are_not_stored_twice(http, estimator):
    url, etag = await new_project(http, estimator)
    first = await save(http, url, estimator, etag, {**PASSING, "note": "first layout"})
    assert first.status_code == 201, first.text
    rev1 = first.json()["result"]
    assert rev1["revision"] == 1 and rev1["module"] == MODULE and rev1["note"] == "first layout"
    assert first.headers["location"] == f"{url}/designs/1"
    assert first.headers["etag"] != etag
    assert set(rev1) >= {"revision", "module", "sha256", "input", "result", "estimate", "created_at"}
    assert rev1["created_by_email"] == "estimator@example.com"
    # sha256 over the canonical JSON of module + input, checkable by any script.
    canonical = json.dumps(
        {"module": MODULE, "input": rev1["input"]}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    assert rev1["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert rev1["result"]["pass"] is True and rev1["trace"]["kind"] == "sign"
    assert rev1["estimate"]["price_list"] == "v1" and rev1["estimate"]["total"] == 15082.1

    second = await save(http, url, estimator, first.headers["etag"], windier(130))
    assert second.status_code == 201 and second.json()["result"]["revision"] == 2

    # The same design again (115.0 is 115, another note): revision 1, no row, no new ETag.
    again = await save(http, url, estimator, second.headers["etag"], {**PASSING, "note": "again"})
    assert again.status_code == 200, again.text
    assert again.json()["result"]["revision"] == 1 and again.json()["result"]["note"] == "first layout"
    assert again.headers["etag"] == second.headers["etag"]

    listing = (await http.get(f"{url}/designs", headers=estimator)).json()["result"]
    assert listing["total"] == 2 and [r["revision"] for r in listing["items"]] == [2, 1]
    assert "input" not in listing["items"][0] and listing["items"][0]["headline"]["section"]
    paged = (await http.get(f"{url}/designs?limit=1&offset=1", headers=estimator)).json()["result"]
    assert [r["revision"] for r in paged["items"]] == [1] and paged["total"] == 2

    # Another project numbers from 1 and may hold the same design.
    other, other_etag = await new_project(http, estimator)
    own = await save(http, other, estimator, other_etag, PASSING)
    assert own.status_code == 201 and own.json()["result"]["revision"] == 1


async def test_reading_a_revision_and_unknown_ones(http, estimator):
    url, etag = await new_project(http, estimator)
    saved = (await save(http, url, estimator, etag, PASSING)).json()["result"]
    read = await http.get(f"{url}/designs/1", headers=estimator)
    assert read.status_code == 200 and read.json()["result"] == saved
    assert (await http.get(f"{url}/designs/2", headers=estimator)).status_code == 404
    assert (await http.get(f"{url}/designs/0", headers=estimator)).status_code == 422
    assert (await http.get(f"{url}/designs/99999999999", headers=estimator)).status_code == 422
    missing = "/api/v1/projects/00000000-0000-0000-0000-000000000000"
    assert (await http.get(f"{missing}/designs", headers=estimator)).status_code == 404
    assert (await http.get(f"{missing}/designs/1", headers=estimator)).status_code == 404
    assert (await http.get(f"{url}/designs?limit=201", headers=estimator)).status_code == 422


async def test_a_save_needs_the_current_etag(http, estimator):
    url, etag = await new_project(http, estimator)
    missing = await save(http, url, estimator, None, PASSING)
    assert missing.status_code == 428 and missing.json()["error"]["code"] == "precondition_required"
    assert (await save(http, url, estimator, "*", PASSING)).status_code == 428
    first = await save(http, url, estimator, etag, PASSING)
    assert first.status_code == 201
    stale = await save(http, url, estimator, etag, windier(130))
    assert stale.status_code == 412
    assert stale.headers["etag"] == first.headers["etag"]
    listing = (await http.get(f"{url}/designs", headers=estimator)).json()["result"]
    assert listing["total"] == 1


async def test_only_the_owner_or_a_manager_saves_and_read_only_projects_refuse(
    http, estimator, estimator2, manager
):
    url, etag = await new_project(http, estimator)
    assert (await save(http, url, estimator2, etag, PASSING)).status_code == 403
    by_manager = await save(http, url, manager, etag, PASSING)
    assert by_manager.status_code == 201
    etag = by_manager.headers["etag"]
    for to, who in (("estimating", estimator), ("submitted", estimator), ("accepted", manager)):
        moved = await http.post(f"{url}/transitions", json={"to": to}, headers={**who, "If-Match": etag})
        assert moved.status_code == 200, moved.text
        etag = moved.headers["etag"]
    refused = await save(http, url, manager, etag, windier(130))
    assert refused.status_code == 409 and "read-only" in refused.json()["error"]["message"]
    assert (await http.get(f"{url}/designs", headers=manager)).json()["result"]["total"] == 1


async def test_leaving_draft_needs_a_saved_design_whose_checks_all_pass(http, estimator):
    url, etag = await new_project(http, estimator)

    async def start_estimating(etag: str) -> httpx.Response:
        return await http.post(
            f"{url}/transitions", json={"to": "estimating"}, headers={**estimator, "If-Match": etag}
        )

    refused = await start_estimating(etag)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["details"]["reason"] == "guard_failed"
    assert error["details"]["reasons"] == ["No saved design: save a design whose checks all pass first."]

    failing = await save(http, url, estimator, etag, FAILING)
    assert failing.status_code == 201 and failing.json()["result"]["result"]["pass"] is False
    refused = await start_estimating(failing.headers["etag"])
    assert refused.status_code == 409
    reasons = refused.json()["error"]["details"]["reasons"]
    assert [r.split(":")[0] for r in reasons] == [
        "Design revision 1 fails pole flexure",
        "Design revision 1 fails pole torsion",  # flexible on Pipe4STD (n1 = 0.85 Hz): Gf raises Case B
        "Design revision 1 fails pole combined forces",
        "Design revision 1 fails pole deflection",
    ]
    assert "AISC 360-16 Eq. F8-1" in reasons[0]

    passing = await save(http, url, estimator, failing.headers["etag"], PASSING)
    assert passing.json()["result"]["revision"] == 2
    moved = await start_estimating(passing.headers["etag"])
    assert moved.status_code == 200 and moved.json()["result"]["status"] == "estimating"


async def test_the_diff_shows_changed_inputs_and_the_headline_results_side_by_side(http, estimator):
    url, etag = await new_project(http, estimator)
    first = await save(http, url, estimator, etag, PASSING)
    second = await save(http, url, estimator, first.headers["etag"], FAILING)
    diff = await http.get(f"{url}/designs/1/diff/2", headers=estimator)
    assert diff.status_code == 200, diff.text
    body = diff.json()["result"]
    assert body["a"]["revision"] == 1 and body["b"]["revision"] == 2
    assert body["inputs"] == [{"path": "supports.designation", "a": None, "b": "Pipe4STD"}]
    results = {r["path"]: r for r in body["results"]}
    assert results["section"]["a"] == "Pipe10STD" and results["section"]["b"] == "Pipe4STD"
    assert results["section"]["changed"] and results["pass"]["a"] is True and results["pass"]["b"] is False
    assert results["pole_count"] == {"path": "pole_count", "label": "Poles", "a": 1, "b": 1, "changed": False}
    assert results["total"]["a"] == first.json()["result"]["estimate"]["total"]
    assert results["total"]["b"] == second.json()["result"]["estimate"]["total"]
    # Leaving a field out and giving its default are no difference.
    explicit = copy.deepcopy(windier(120))
    explicit["input"]["return_corner_ft"] = 0.0
    third = await save(http, url, estimator, second.headers["etag"], explicit)
    changes = (await http.get(f"{url}/designs/1/diff/3", headers=estimator)).json()["result"]["inputs"]
    assert changes == [{"path": "site.wind_speed_mph", "a": 115.0, "b": 120.0}]
    assert third.status_code == 201
    assert (await http.get(f"{url}/designs/1/diff/9", headers=estimator)).status_code == 404


async def test_bad_design_input_is_422_naming_every_field(http, estimator):
    url, etag = await new_project(http, estimator)
    bad = copy.deepcopy(PASSING)
    bad["module"] = "signage.two_pole.base_plate"
    bad["input"]["supports"]["spacing_ft"] = 10  # spacing is for two poles
    response = await save(http, url, estimator, etag, bad)
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert fields == ["module", "input.supports.spacing_ft"]

    schema_bad = {"module": "signage.nope", "input": {**SIGN_EXAMPLE, "clearance_ft": -1}, "note": "a\x00b"}
    response = await save(http, url, estimator, etag, schema_bad)
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert fields == {"module", "input.clearance_ft", "note"}
    too_long = await save(http, url, estimator, etag, {**PASSING, "note": "x" * 501})
    assert too_long.status_code == 422 and too_long.json()["error"]["fields"][0]["field"] == "note"
    # Nothing was saved and the project did not change.
    assert (await http.get(f"{url}/designs", headers=estimator)).json()["result"]["total"] == 0
    assert (await http.get(url, headers=estimator)).headers["etag"] == etag


async def test_a_save_writes_the_design_saved_event_with_its_headline(http, estimator):
    url, etag = await new_project(http, estimator)
    saved = await save(http, url, estimator, etag, PASSING)
    revision = saved.json()["result"]
    events = (await http.get(f"{url}/events", headers=estimator)).json()["result"]["items"]
    assert events[0]["event_type"] == "design.saved" and events[0]["actor"] == "estimator@example.com"
    assert events[0]["data"] == {
        "design_revision": 1,
        "module": MODULE,
        "pass": True,
        "section": "Pipe10STD",
        "embedment_ft": 9.5,
        "total": revision["estimate"]["total"],
        "revision": 2,
    }
    project = (await http.get(url, headers=estimator)).json()["result"]
    assert project["revision"] == 2 and f'"{project["etag"]}"' == saved.headers["etag"]
    # An identical save writes nothing.
    await save(http, url, estimator, saved.headers["etag"], PASSING)
    events = (await http.get(f"{url}/events", headers=estimator)).json()["result"]
    assert events["total"] == 2


async def test_the_headline_embedment_checks_by_hand(http, estimator):
    """IBC 2021 Eq. 18-1 by hand from the saved result's force and height: d = A/2 (1 + sqrt(1 +
    4.36 h / A)), A = 2.34 P / (S1 b), S1 at d/3 (150 psf/ft, class 4) doubled for an isolated pole;
    the embedment is d rounded up to the half foot. P and h include the wind on the 14 ft of exposed
    Pipe10STD (175.06 lb at 7 ft, ASCE 7 Sec. 29.4): 0.6 x (2,916.62 + 175.06) = 1,855.01 lb at
    (49,582.6 + 1,225.4) / 3,091.68 = 16.434 ft."""
    url, etag = await new_project(http, estimator)
    revision = (await save(http, url, estimator, etag, PASSING)).json()["result"]
    foundation = revision["result"]["foundation"]
    p, h, b = foundation["lateral_force_asd_lb"], foundation["force_height_ft"], foundation["diameter_ft"]
    assert (p, h, b) == (1855.01, 16.4338, 1.5)
    d = 9.0  # fixed point of d = f(S1(d)), from any start
    for _ in range(50):
        s1 = min(150 * d / 3 * 2, 150 * 12 * 2)
        a = 2.34 * p / (s1 * b)
        d = a / 2 * (1 + math.sqrt(1 + 4.36 * h / a))
    assert abs(d - 9.22617) < 1e-3
    assert revision["headline"]["embedment_ft"] == math.ceil(d * 2) / 2 == 9.5
    amounts = [i["amount"] for i in revision["estimate"]["line_items"]]
    assert revision["headline"]["total"] == round(sum(amounts), 2)


async def test_of_two_saves_with_the_same_etag_exactly_one_wins(http, estimator):
    url, etag = await new_project(http, estimator)
    responses = await asyncio.gather(
        save(http, url, estimator, etag, windier(120)), save(http, url, estimator, etag, windier(125))
    )
    assert sorted(r.status_code for r in responses) == [201, 412]
    listing = (await http.get(f"{url}/designs", headers=estimator)).json()["result"]
    assert listing["total"] == 1 and listing["items"][0]["revision"] == 1


PRICING = {
    "overrides": {
        "contingency_percent": 0,
        "profit": {"mode": "margin", "margin_percent": 20},
        "lines": {"concrete": {"unit_price": 250}, "labour.installation": {"quantity": 12}},
    },
    "options": {"cabinets": [{"illuminated": False, "faces": 1}], "calc_packet": True},
}


async def test_a_revision_keeps_the_estimate_overrides_and_options_it_was_priced_with(http, estimator):
    url, etag = await new_project(http, estimator)
    plain = await save(http, url, estimator, etag, PASSING)
    priced = await save(http, url, estimator, plain.headers["etag"], {**PASSING, "pricing": PRICING})
    assert priced.status_code == 201, priced.text
    rev = priced.json()["result"]
    assert rev["revision"] == 2 and rev["sha256"] != plain.json()["result"]["sha256"]
    assert rev["pricing"]["overrides"]["lines"]["concrete"] == {"unit_price": 250.0}
    assert plain.json()["result"]["pricing"] == {}
    # The stored estimate is the stateless estimate of the same design, overrides and options.
    body = {**PASSING, "price_list": "v1", **PRICING}
    stateless = (await http.post("/api/v1/estimate", json=body, headers=estimator)).json()["result"]
    assert rev["estimate"] == stateless
    assert rev["estimate"]["total"] != plain.json()["result"]["estimate"]["total"]
    codes = {i["code"]: i for i in rev["estimate"]["line_items"]}
    assert codes["concrete"]["overridden"] and codes["concrete"]["unit_price"] == 250
    assert "margin" in codes and "fees.calc_packet" in codes
    # Priced the same again: that revision, nothing new.
    again = await save(http, url, estimator, priced.headers["etag"], {**PASSING, "pricing": PRICING})
    assert again.status_code == 200 and again.json()["result"]["revision"] == 2
    diff = (await http.get(f"{url}/designs/1/diff/2", headers=estimator)).json()["result"]
    assert "pricing.overrides.contingency_percent" in [c["path"] for c in diff["inputs"]]


async def test_bad_pricing_is_422_naming_the_field(http, estimator):
    url, etag = await new_project(http, estimator)
    bad = {
        "overrides": {"lines": {"concrete": {"unit_price": -1}, "no.such": {"quantity": 1}}},
        "options": {"cabinets": [{}, {}]},
    }
    response = await save(http, url, estimator, etag, {**PASSING, "pricing": bad})
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert any(f.startswith("pricing.overrides.lines.concrete") for f in fields), fields
    unknown = {"overrides": {"lines": {"no.such": {"quantity": 1}}}, "options": {"cabinets": [{}, {}]}}
    response = await save(http, url, estimator, etag, {**PASSING, "pricing": unknown})
    assert response.status_code == 422, response.text
    fields = [f["field"] for f in response.json()["error"]["fields"]]
    assert "pricing.options.cabinets" in fields, fields
    lines_only = {"overrides": {"lines": {"no.such": {"quantity": 1}}}}
    response = await save(http, url, estimator, etag, {**PASSING, "pricing": lines_only})
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["pricing.overrides.lines.no.such"]
