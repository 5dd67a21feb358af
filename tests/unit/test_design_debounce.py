"""When the designer evaluates after an edit: at once after a quiet spell, else once a burst of
keystrokes has been quiet for the debounce period; never at once on a value the form refuses."""

from __future__ import annotations

from pages.designer import DEBOUNCE_S, evaluation_delay


def test_an_edit_after_a_quiet_spell_is_evaluated_at_once():
    assert evaluation_delay(since_last_edit=DEBOUNCE_S, form_errors=False) == 0
    assert evaluation_delay(since_last_edit=5.0, form_errors=False) == 0


def test_an_edit_within_a_burst_waits_for_the_quiet_period():
    assert evaluation_delay(since_last_edit=0.05, form_errors=False) == DEBOUNCE_S
    assert evaluation_delay(since_last_edit=DEBOUNCE_S - 0.01, form_errors=False) == DEBOUNCE_S


def test_a_value_the_form_refuses_is_not_evaluated_at_once():
    # The first digit of a number being typed ("1" of "120") would flash "fix the fields".
    assert evaluation_delay(since_last_edit=5.0, form_errors=True) == DEBOUNCE_S
