"""Bidirectional control characters make a name display as something it is not: refused like
other control characters, as a field error naming the field."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI)
async def test_the_api_refuses_a_project_name_with_a_bidi_control_naming_the_field(http, estimator, control):
    response = await http.post(
        "/api/v1/projects", json={"name": f"Main St {control}nolyP", "account_id": "A1"}, headers=estimator
    )
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["name"]


async def test_the_api_refuses_a_bidi_control_in_a_description_too(http, estimator):
    response = await http.post(
        "/api/v1/projects",
        json={"name": "Pylon", "account_id": "A1", "description": "see \u202eattached"},
        headers=estimator,
    )
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["description"]


@pytest.mark.parametrize("control", ["\u202e", "\u2066"])
async def test_the_user_service_refuses_a_name_with_a_bidi_control(services, control):
    admin = await services.users.authenticate_api_key(
        (await services.users.create("root@example.com", "admin")).api_key
    )
    with pytest.raises(InvalidInput) as refused:
        await services.users.add_user(admin, email="ann@example.com", role="ops", name=f"Ann {control}nimda")
    assert refused.value.fields == [{"field": "name", "message": "control characters"}]
    with pytest.raises(InvalidInput) as refused:
        await services.users.create(f"a{control}b@example.com", "ops")
    assert refused.value.fields == [{"field": "email", "message": "invalid"}]
    assert [u.email for u in await services.users.list()] == ["root@example.com"]


async def test_ordinary_right_to_left_text_is_still_accepted(http, estimator):
    response = await http.post(
        "/api/v1/projects", json={"name": "שלט ראשי", "account_id": "A1"}, headers=estimator
    )
    assert response.status_code == 201
