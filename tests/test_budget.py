"""Time budgets: CPU time, clean expiry, and nesting that never extends an outer budget."""
import gc
import sys
import time

import pytest

from symact.budget import attempt, time_budget
from symact.errors import BudgetExceeded


def _spin(seconds):
    """Busy for `seconds` of this process's CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "done"


def test_a_budget_stops_a_busy_step():
    started = time.process_time()
    with pytest.raises(BudgetExceeded, match="of CPU time"):
        with time_budget(0.2, "spin"):
            _spin(5)
    assert time.process_time() - started < 1.5


def test_waiting_does_not_spend_a_budget():
    # the budget counts CPU time, so a loaded machine (here: a sleep) changes nothing
    with time_budget(0.2, "sleep"):
        time.sleep(0.4)


def test_attempt_returns_the_default_when_its_own_budget_runs_out():
    assert attempt(_spin, 5, seconds=0.2, default="gave up") == "gave up"
    assert attempt(_spin, 0.01, seconds=2) == "done"


def test_inner_budgets_do_not_extend_the_outer_one():
    started = time.process_time()
    with pytest.raises(BudgetExceeded):
        with time_budget(0.6, "outer"):
            for _ in range(20):  # 20 inner steps of 0.15 s: 3 s if the outer were renewed
                attempt(_spin, 0.15, seconds=0.4)
    assert time.process_time() - started < 1.5


def test_an_outer_budget_that_runs_out_inside_attempt_propagates():
    with pytest.raises(BudgetExceeded):
        with time_budget(0.2, "outer"):
            attempt(_spin, 5, seconds=3)


def test_a_budget_never_expires_inside_a_gc_callback(monkeypatch):
    """Python swallows an exception raised in a gc callback (hypothesis installs one);
    the budget waits for the callback to return and then expires in the body."""
    swallowed = []
    monkeypatch.setattr(sys, "unraisablehook", swallowed.append)
    calls = []

    def slow_callback(phase, info):
        if phase == "start" and not calls:
            calls.append(phase)
            _spin(0.4)

    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(BudgetExceeded):
            with time_budget(0.1, "spin"):
                gc.collect()
                _spin(3)
    finally:
        gc.callbacks.remove(slow_callback)
    assert calls and not swallowed
