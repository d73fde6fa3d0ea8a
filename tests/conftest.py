"""Shared fixtures: the catalog, and oracles that skip locally but are required in CI."""
import os

import pytest

import symact

REQUIRE_ORACLES = bool(os.environ.get("SYMACT_REQUIRE_ORACLES"))


def oracle(module_name):
    """Import an optional oracle; skip without it, but fail in CI (SYMACT_REQUIRE_ORACLES)."""
    try:
        return __import__(module_name)
    except ImportError:
        if REQUIRE_ORACLES:
            pytest.fail(f"{module_name} is required in CI (SYMACT_REQUIRE_ORACLES is set)")
        pytest.skip(f"{module_name} is not installed")


ELEMENTWISE = symact.names("elementwise")
VECTOR = symact.names("vector")
