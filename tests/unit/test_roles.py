from domain.users.roles import is_promotion


def test_a_promotion_grants_powers_and_a_demotion_does_not():
    assert is_promotion("ops", "estimator") and is_promotion("estimator", "manager")
    assert is_promotion("manager", "admin") and is_promotion("ops", "admin")
    assert not is_promotion("admin", "manager") and not is_promotion("estimator", "ops")
    assert not is_promotion("manager", "manager")
