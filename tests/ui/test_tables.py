"""ui.tables.styled: the table Streamlit sends is exactly the one pandas' own rendering makes, on the
first run and on every run after it, and a change of values or look is never shown from the store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from i18n import format_number
from ui import tables
from ui.tables import styled

def marshalled(styler: "pd.io.formats.style.Styler") -> tuple[str, bytes]:
    """What st.dataframe sends of a Styler: the cell CSS and the shown texts (Arrow bytes). Every Styler
    has a random uuid of its own (the CSS selectors name it): written as UUID here."""
    proto = ArrowData()
    marshall_styler(proto, styler, "unused")
    return proto.styler.styles.replace(proto.styler.uuid, "UUID"), proto.styler.display_values


def shown_texts(styler: "pd.io.formats.style.Styler") -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(marshalled(styler)[1]).read_pandas()


def league_like(values: list[float | None], changes: list[float | None]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"Mã": [f"{i:05d}" for i in range(n)], "Tên": [f"Xã {i}" for i in range(n)],
                         "Giá trị": pd.Series(values, dtype=float), "Hạng": np.arange(1, n + 1),
                         "Xu hướng": [[1.0, 2.0, float(i)] for i in range(n)],
                         "Thay đổi": pd.Series(changes, dtype=float)})


def look_of(lang: str, decimals: int, highlight: str | None):
    def style(frame: pd.DataFrame) -> "pd.io.formats.style.Styler":
        styler = (frame.style
                  .format({"Giá trị": lambda v: format_number(v, lang, decimals) if pd.notna(v) else "–",
                           "Hạng": lambda v: format_number(int(v), lang)})
                  .map(lambda v: "color: red" if pd.notna(v) and v < 0 else "", subset=["Thay đổi"]))
        marked = (frame["Mã"] == highlight).to_numpy()
        if marked.any():
            styler = styler.apply(lambda part: pd.DataFrame([["font-weight: 600" if m else ""] * part.shape[1]
                                                             for m in marked], index=part.index,
                                                            columns=part.columns), axis=None)
        return styler

    return style, ("test", lang, decimals, highlight)


@pytest.fixture(autouse=True)
def empty_store():
    tables._rendered.clear()
    yield
    tables._rendered.clear()


def test_the_first_and_every_later_run_send_what_pandas_renders():
    frame = league_like([1234.5, None, 87.25, 0.0], [1, -2, None, 0])
    style, look = look_of("vi", 1, "00002")
    expected = marshalled(style(frame))
    first = marshalled(styled(frame, style, look))
    again = marshalled(styled(frame.copy(), style, look))  # a new frame with the same content, as next run
    assert first == expected and again == expected
    assert len(tables._rendered) == 1
    texts = shown_texts(styled(frame, style, look))
    assert texts["Giá trị"].tolist() == ["1.234,5", "–", "87,3", "0,0"]  # half up, Vietnamese separators
    assert texts["Hạng"].tolist() == ["1", "2", "3", "4"]
    assert "#T_UUID_row2_col0" in first[0] and "font-weight: 600" in first[0] and "color: red" in first[0]


def test_a_changed_value_or_look_is_rendered_anew():
    style, look = look_of("vi", 1, None)
    before = league_like([10.0, 20.0], [1, 2])
    assert shown_texts(styled(before, style, look))["Giá trị"].tolist() == ["10,0", "20,0"]
    after = league_like([10.0, 20.04], [1, 2])
    assert shown_texts(styled(after, style, look))["Giá trị"].tolist() == ["10,0", "20,0"]
    after = league_like([10.0, 20.06], [1, 2])
    assert shown_texts(styled(after, style, look))["Giá trị"].tolist() == ["10,0", "20,1"]
    english, english_look = look_of("en", 2, None)
    assert shown_texts(styled(after, english, english_look))["Giá trị"].tolist() == ["10.00", "20.06"]
    negative = league_like([-0.0, 1.0], [1, 2])  # the same hash as 0.0 to pandas, not the same text
    assert marshalled(styled(negative, style, look)) == marshalled(style(negative))
    assert marshalled(styled(league_like([0.0, 1.0], [1, 2]), style, look)) == marshalled(
        style(league_like([0.0, 1.0], [1, 2])))


def test_a_highlighted_row_follows_the_look_and_the_codes():
    frame = league_like([1.0, 2.0, 3.0], [0, 0, 0])
    for highlight in ("00001", "00002", None):
        style, look = look_of("vi", 1, highlight)
        assert marshalled(styled(frame, style, look)) == marshalled(style(frame))
    style, look = look_of("vi", 1, "00001")
    moved = frame.assign(**{"Mã": ["00001", "00000", "00002"]})  # the unit moved to the first row
    assert marshalled(styled(moved, style, look)) == marshalled(style(moved))


def test_a_formatted_column_of_lists_is_rendered_as_usual_every_time():
    frame = league_like([1.0], [0])

    def style(part: pd.DataFrame) -> "pd.io.formats.style.Styler":
        return part.style.format({"Xu hướng": lambda values: " → ".join(str(v) for v in values)})

    expected = marshalled(style(frame))
    assert marshalled(styled(frame, style, "lists")) == expected
    assert len(tables._rendered) == 0  # lists cannot be fingerprinted: nothing stored
    changed = frame.assign(**{"Xu hướng": [[5.0, 6.0]]})
    assert marshalled(styled(changed, style, "lists")) == marshalled(style(changed))


def test_the_store_keeps_the_latest_tables_only():
    style, _ = look_of("vi", 1, None)
    for i in range(tables.MAX_TABLES + 5):
        styled(league_like([float(i)], [0]), style, ("test", i))
    assert len(tables._rendered) == tables.MAX_TABLES


def test_sessions_asking_at_once_wait_for_one_rendering():
    import threading

    frame = league_like([float(i) for i in range(300)], [0] * 300)
    plain, look = look_of("vi", 1, None)
    renderings = []

    def style(part: pd.DataFrame) -> "pd.io.formats.style.Styler":
        renderings.append(1)
        return plain(part)

    results = []
    threads = [threading.Thread(target=lambda: results.append(marshalled(styled(frame, style, look))))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renderings) == 1 and len(results) == 8
    assert all(result == marshalled(plain(frame)) for result in results)


@pytest.mark.parametrize(("lang", "written"), [("vi", ["1.234,5", "", "97,7064"]), ("en", ["1,234.5", "", "97.7064"])])
def test_a_table_shown_to_a_reader_has_empty_cells_for_missing_values(lang, written):
    from ui.tables import without_gaps

    frame = pd.DataFrame({"with_gap": [1234.5, np.nan, 97.706412], "text": ["a", None, "c"],
                          "whole": [1, 2, 3], "counts": pd.array([4, None, 6], dtype="Int64"),
                          "flag": [True, False, True], "bar": [0.5, np.nan, 1.0]})
    shown = without_gaps(frame, lang, keep=("bar",))
    assert shown["with_gap"].tolist() == written
    assert shown["text"].tolist() == ["a", "", "c"] and shown["counts"].tolist() == ["4", "", "6"]
    assert shown["whole"].tolist() == [1, 2, 3] and shown["whole"].dtype == frame["whole"].dtype  # no gap: as it was
    assert shown["flag"].tolist() == [True, False, True]
    assert shown["bar"].isna().tolist() == [False, True, False]  # kept for a progress bar, which reads numbers
    assert frame["text"].isna().sum() == 1  # the caller's frame is left alone
