"""Shared fixtures for the loader tests: the real reference data in data/, built once per session."""

from __future__ import annotations

import pytest

from etl.columns import synonym_index
from etl.units import UnitMatcher
from store.reference import read_aliases, read_catalog, read_units


@pytest.fixture(scope="session")
def synonyms() -> dict[str, str]:
    """label key -> target, built exactly as etl/load.py builds it from the catalog."""
    catalog = read_catalog()
    return synonym_index(tuple((row.code, row.name_vi, row.name_en) for row in catalog.itertuples()))


@pytest.fixture(scope="session")
def unit_matcher() -> UnitMatcher:
    """The matcher over every official province and commune, with the CV 1027 alias codes."""
    aliases = read_aliases()
    return UnitMatcher(read_units(), dict(zip(aliases.alias_code, aliases.unit_code)))
