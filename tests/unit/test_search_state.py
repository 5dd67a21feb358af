def test_a_keystroke_after_a_quiet_spell_searches_at_once_and_a_burst_waits_for_quiet():
    from pages.search_state import DEBOUNCE_S, search_delay

    assert search_delay(since_last_edit=float("inf")) == 0.0  # the first keystroke
    assert search_delay(since_last_edit=DEBOUNCE_S) == 0.0
    assert search_delay(since_last_edit=0.08) == DEBOUNCE_S  # typing on
