"""Errors a user can cause; each carries a one-line message for the CLI."""


class SymactError(Exception):
    """A problem with the user's request, reported as one line (CLI exit status 2)."""


class UnknownActivation(SymactError, KeyError):
    """A name that is not in the registry; the message lists close matches."""

    def __str__(self):
        return self.args[0]


class BudgetExceeded(SymactError):
    """A symbolic step ran past its time budget."""
