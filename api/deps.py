"""Request dependencies: services and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from domain.services import Services
from domain.users.schemas import Actor


def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_actor(
    services: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="Your API key (`python app.py user add`).")] = None,
) -> Actor:
    if not x_api_key:
        raise HTTPException(401, "Missing X-API-Key header.")
    actor = await services.users.authenticate_api_key(x_api_key)
    if actor is None:
        raise HTTPException(401, "Invalid or revoked API key.")
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
