"""The project state machine, as specifications."""

from __future__ import annotations

import pytest

from domain.projects.lifecycle import (
    Status,
    allowed_targets,
    check_transition,
    is_read_only,
    leave_draft_refusal,
    targets_for,
)

S = Status


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.draft, S.estimating),
        (S.estimating, S.submitted),
        (S.estimating, S.draft),
        (S.submitted, S.accepted),
        (S.submitted, S.rejected),
        (S.rejected, S.draft),
    ],
)
def test_a_manager_may_take_every_edge_of_the_graph(current, target):
    assert check_transition(current, target, "manager") is None


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.draft, S.submitted),
        (S.draft, S.accepted),
        (S.accepted, S.draft),
        (S.accepted, S.rejected),
        (S.rejected, S.accepted),
        (S.submitted, S.draft),
        (S.draft, S.draft),
    ],
)
def test_edges_outside_the_graph_are_refused_with_the_allowed_targets(current, target):
    refused = check_transition(current, target, "admin")
    assert refused is not None and refused.code == "transition_not_allowed"
    assert set(refused.allowed) == {str(t) for t in allowed_targets(current, "admin")}


@pytest.mark.parametrize(
    ("current", "target"), [(S.submitted, S.accepted), (S.submitted, S.rejected), (S.rejected, S.draft)]
)
@pytest.mark.parametrize("role", ["estimator", "ops"])
def test_only_managers_and_admins_accept_reject_and_reopen(current, target, role):
    refused = check_transition(current, target, role)
    assert refused is not None and refused.code == "role_forbidden"
    assert check_transition(current, target, "admin") is None


def test_an_estimator_sees_only_the_moves_they_may_make():
    assert allowed_targets(S.submitted, "estimator") == ()
    assert allowed_targets(S.submitted, "manager") == (S.accepted, S.rejected)
    assert allowed_targets(S.draft, "estimator") == (S.estimating,)


def test_the_leave_draft_guard_reasons_become_a_refusal_only_when_leaving_draft():
    refused = leave_draft_refusal(S.draft, ["No saved design."])
    assert refused is not None and refused.code == "guard_failed"
    assert refused.reasons == ("No saved design.",) and refused.allowed == ("estimating",)
    assert leave_draft_refusal(S.draft, []) is None
    # The guard only governs leaving draft.
    assert leave_draft_refusal(S.estimating, ["No saved design."]) is None
    assert check_transition(S.draft, S.estimating, "estimator") is None


def test_accepted_and_rejected_are_read_only():
    assert {s for s in Status if is_read_only(s)} == {S.accepted, S.rejected}


def test_a_user_who_may_not_edit_is_offered_only_decisions():
    assert targets_for(S.draft, "estimator", may_edit=False) == ()
    assert targets_for(S.estimating, "manager", may_edit=True) == (S.submitted, S.draft)
    assert targets_for(S.submitted, "manager", may_edit=False) == (S.accepted, S.rejected)
    assert targets_for(S.submitted, "estimator", may_edit=True) == ()
