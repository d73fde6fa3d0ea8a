"""Time budgets for symbolic steps that can blow up (simplify, solve, limit).

Budgets count this process's CPU time (ITIMER_PROF), not wall-clock time: a step cut
short by its budget is cut at the same point however busy the machine is, so what a
budget decides (a property left "unknown", a form not simplified) and hence the built
documents do not depend on the load of the machine that builds them."""
import contextlib
import gc
import signal
import threading
import time

from .errors import BudgetExceeded

DEFAULT_SECONDS = 20.0
REPEAT_SECONDS = 0.25
MIN_SECONDS = 0.001  # an enclosing budget spent by an inner one fires at once


@contextlib.contextmanager
def time_budget(seconds=DEFAULT_SECONDS, what="symbolic step"):
    """Raise BudgetExceeded if the body uses more than `seconds` of CPU time.

    Uses SIGPROF, so the budget is enforced only in the main thread of a process
    (elsewhere the body runs unbounded). Budgets nest: an inner budget never extends
    an outer one.
    """
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield None
        return
    previous_handler = signal.getsignal(signal.SIGPROF)
    previous_remaining, previous_interval = signal.getitimer(signal.ITIMER_PROF)
    if previous_remaining and previous_remaining < seconds:
        yield None  # the enclosing, tighter budget stays in force
        return
    token = object()
    state = {"active": True}
    started = time.process_time()

    def expire(signum, frame):
        if state["active"] and not _in_gc_callback(frame):
            error = BudgetExceeded(f"{what} gave up after {seconds:g} s of CPU time")
            error.token = token
            raise error

    signal.signal(signal.SIGPROF, expire)
    # The alarm repeats: SymPy catches Exception in places, which would swallow a single one.
    signal.setitimer(signal.ITIMER_PROF, seconds, REPEAT_SECONDS)
    try:
        yield token
    finally:
        while True:  # an alarm may fire while we disarm; retry until disarmed
            try:
                state["active"] = False
                signal.setitimer(signal.ITIMER_PROF, 0)
                break
            except BudgetExceeded:
                continue
        signal.signal(signal.SIGPROF, previous_handler)
        if previous_remaining:  # the enclosing budget resumes, less what this one used
            left = previous_remaining - (time.process_time() - started)
            signal.setitimer(signal.ITIMER_PROF, max(left, MIN_SECONDS), previous_interval)


def _in_gc_callback(frame):
    """Whether the signal arrived inside a gc callback, where Python would swallow the
    exception (the repeating alarm raises it again once the callback has returned)."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def attempt(fn, *args, seconds=DEFAULT_SECONDS, default=None, **kwargs):
    """fn(*args, **kwargs), or `default` when it exceeds the budget or SymPy fails.

    An enclosing budget that runs out meanwhile is not swallowed: it propagates."""
    token = None
    try:
        with time_budget(seconds, getattr(fn, "__name__", "step")) as token:
            return fn(*args, **kwargs)
    except BudgetExceeded as error:
        if token is None or getattr(error, "token", None) is not token:
            raise
        return default
    except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return default
