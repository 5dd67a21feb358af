"""Designs for the tests: a passing one (the engine's worked example) and a failing one, and a
helper that saves the passing one so a project may leave draft."""

from __future__ import annotations

import copy
from typing import Any

from domain.designs.schemas import DesignRequest
from domain.engineering.examples import SIGN_EXAMPLE
from domain.projects.schemas import ProjectOut
from domain.users.schemas import Actor

MODULE = "signage.single_pole.direct_burial"
PASSING: dict[str, Any] = {"module": MODULE, "input": SIGN_EXAMPLE}
# The same sign on a pole far too small for it: flexure, torsion (the slender pole is flexible, so
# Gf raises the Case B torsion), combined forces and deflection fail.
FAILING: dict[str, Any] = copy.deepcopy(PASSING)
FAILING["input"]["supports"]["designation"] = "Pipe4STD"


async def save_passing_design(services: Any, actor: Actor, project: ProjectOut) -> ProjectOut:
    """Save the passing design on ``project``; returns the project with its new ETag."""
    await services.designs.save(
        actor, project.project_id, DesignRequest.model_validate(PASSING), if_match=project.etag
    )
    return await services.projects.get(project.project_id)  # type: ignore[no-any-return]
