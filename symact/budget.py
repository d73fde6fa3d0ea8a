"""Time budgets for symbolic steps that can blow up (simplify, solve, limit)."""
import contextlib
import signal
import threading

from .errors import BudgetExceeded

DEFAULT_SECONDS = 20.0


@contextlib.contextmanager
def time_budget(seconds=DEFAULT_SECONDS, what="symbolic step"):
    """Raise BudgetExceeded if the body runs longer than `seconds`.

    Uses SIGALRM, so the budget is enforced only in the main thread of a process
    (elsewhere the body runs unbounded). Budgets nest: an inner budget never extends
    an outer one.
    """
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous_handler = signal.getsignal(signal.SIGALRM)
    previous_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if previous_remaining and previous_remaining < seconds:
        yield  # the enclosing, tighter budget stays in force
        return

    def expire(signum, frame):
        raise BudgetExceeded(f"{what} gave up after {seconds:g} s")

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_remaining:
            signal.setitimer(signal.ITIMER_REAL, previous_remaining)


def attempt(fn, *args, seconds=DEFAULT_SECONDS, default=None, **kwargs):
    """fn(*args, **kwargs), or `default` when it exceeds the budget or SymPy fails."""
    try:
        with time_budget(seconds, getattr(fn, "__name__", "step")):
            return fn(*args, **kwargs)
    except BudgetExceeded:
        return default
    except (NotImplementedError, ValueError, TypeError, AttributeError, RecursionError):
        return default
