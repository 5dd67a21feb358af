"""Request dependencies: services and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from domain.services import Services
from domain.users.schemas import Actor


async def get_services(request: Request) -> Services:
    # async: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop per request.
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[Services, Depends(get_services)]

# Declared as a security scheme, so the OpenAPI document and the docs page know how to authenticate.
api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Your API key (`python app.py user add`, or an admin issues one on /users).",
)


async def get_actor(
    request: Request,
    services: ServicesDep,
    x_api_key: Annotated[str | None, Security(api_key_header)] = None,
) -> Actor:
    # The guard in front of the API has authenticated the key before the body was read.
    actor = getattr(request.state, "actor", None)
    if isinstance(actor, Actor):
        return actor
    if not x_api_key:
        raise HTTPException(401, "Missing X-API-Key header.")
    actor = await services.users.authenticate_api_key(x_api_key)
    if actor is None:
        raise HTTPException(401, "Invalid or revoked API key.")
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
