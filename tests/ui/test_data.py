"""ui.data.kept: what pages build from query() results is shared until the data changes, then built anew."""

from __future__ import annotations

import pytest

import store
from analytics.league import indicator_choices
from analytics.ranking import COMPOSITE_PREFIX, Composite, save_composite
from ui.data import data_changed, kept, query
from store.users import User

ANALYST = User("an", "Nguyễn Văn An", "analyst", None)  # composites are saved by an analyst


def choices_in(lang: str) -> list[str]:
    """A builder as pages use them: from a query() result and the language it is given."""
    return [f"{lang}:{code}" for code in query(indicator_choices)]


@pytest.fixture
def database(fresh_db, monkeypatch):
    monkeypatch.setenv("XASO_DB", str(fresh_db))
    data_changed()
    return fresh_db


def test_the_same_question_gets_the_same_object_until_the_data_changes(database):
    first = kept(choices_in, "vi")
    assert kept(choices_in, "vi") is first
    assert kept(choices_in, "en") is not first and kept(choices_in, "en")[0].startswith("en:")
    assert not any(code.startswith(f"vi:{COMPOSITE_PREFIX}") for code in first)

    with store.connect(database) as con:
        save_composite(con, Composite("Số hoá", (("online_filing_rate", 1.0), ("esign_rate", 1.0))), ANALYST)
    data_changed()  # as a page does after it writes

    after = kept(choices_in, "vi")
    assert after is not first
    assert f"vi:{COMPOSITE_PREFIX}Số hoá" in after
