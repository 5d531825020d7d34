"""Every province and commune picker finds a name typed with or without diacritics, and by code.

Streamlit's search matches the letters of a label as they are: each label carries both spellings and the
code (ui.labels), so "phu tho" finds Phú Thọ, "van ban" finds Xã Vân Bán and "08377" finds it too."""

from __future__ import annotations

import pytest

from etl.text import fold
from tests.pages.conftest import open_page

PHU_THO, VAN_BAN = "25", "08377"  # Xã Vân Bán is a Phú Thọ commune


def pickers(app) -> list:
    return [*app.selectbox, *app.multiselect]


def province_and_commune_labels(app) -> list[str]:
    return [label for picker in pickers(app) for label in picker.options]


# what to choose first on each page (widget kind, key), so that its commune picker shows Phú Thọ's communes
PAGES = [("overview", [("segmented_control", "overview_level", "commune"), ("selectbox", "overview_province", PHU_THO)]),
         ("rankings", [("selectbox", "rankings_province", PHU_THO)]),
         ("trends", [("selectbox", "trends_province", PHU_THO)]),
         ("map", [("segmented_control", "map_level", "communes")]), ("quality", []),
         ("present", [("segmented_control", "present_level", "commune"), ("selectbox", "present_province", PHU_THO)]),
         ("profile", []), ("templates", [])]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page,choices", PAGES, ids=[p for p, _ in PAGES])
def test_every_place_picker_finds_names_with_or_without_diacritics_and_by_code(demo_db, monkeypatch, page, choices,
                                                                               lang):
    app = open_page(demo_db, lang, monkeypatch, page)
    for kind, key, value in choices:
        getattr(app, kind)(key=f"{key}.{lang}").set_value(value).run()
        assert not app.exception, [e.value for e in app.exception]
    labels = province_and_commune_labels(app)
    provinces = [label for label in labels if f"({PHU_THO} · " in label]
    assert provinces or page == "profile", f"no picker names Phú Thọ on {page}"  # the profile picks communes
    for label in provinces:
        assert "Phú Thọ" in label and "phu tho" in label.lower(), label
    communes = [label for label in labels if VAN_BAN in label]
    if page in ("overview", "rankings", "trends", "present", "profile"):
        assert communes, f"no picker offers Vân Bán on {page}"
    for label in communes:
        assert "Vân Bán" in label and "van ban" in label.lower() and VAN_BAN in label, label
        assert fold(label).count("van ban") >= 1
