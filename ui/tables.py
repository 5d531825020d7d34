"""Big formatted tables at the cost of a small one: pandas' per-cell rendering of a Styler, done once.

`st.dataframe(styler)` has pandas render every cell of the Styler (formatter, CSS, a dict per cell) and
Streamlit then reads back each cell's shown text, on every run: for the national Overview or Rankings
(3,321 communes) that was most of the page's server time, the same result for every visitor. `styled`
renders a table once per content and look and hands Streamlit a Styler of the same frame whose
rendering is that stored result, so the table sent is byte for byte the one pandas would make
(tests/ui/test_tables.py compares the two).

Only what pandas' rendering adds is kept: the cells whose shown text differs from `str(value)` (the
formatted numbers) and the cell CSS. The frame itself is read afresh on every run, so the stored part
is keyed by a fingerprint of the frame's values, index and column names plus `look`: whatever else the
formatters and styles depend on (language, decimals, the highlighted unit ...).

This leans on how Streamlit 1.67 reads a Styler (`_compute()`, then `_translate(False, False)`: see
streamlit/elements/lib/pandas_styler_utils.py); both are pinned in requirements.txt.
"""

from __future__ import annotations

import hashlib
import threading
from enum import Enum
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd
from pandas.core.arrays.masked import BaseMaskedArray
from pandas.io.formats.style import Styler

MAX_TABLES = 32  # a rendering of the national table is ~2 MB: a few views in a few languages
_rendered: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
_rendering: OrderedDict[tuple, threading.Lock] = OrderedDict()
_lock = threading.Lock()


def styled(frame: pd.DataFrame, style: Callable[[pd.DataFrame], Styler], look: Hashable) -> Styler:
    """`style(frame)` as st.dataframe shows it, rendered by pandas only the first time this content is
    shown with this `look` (a hashable of everything the formatters and styles use besides the frame)."""
    fingerprint = _fingerprint(frame)
    if fingerprint is None:  # values that cannot be fingerprinted: render as usual
        return style(frame)
    key = (look, fingerprint)
    rendered = _stored(key)
    if rendered is None:
        with _rendering_lock(key):  # sessions asking at once (after a load) wait for one rendering
            rendered = _stored(key)
            if rendered is None:
                styler = style(frame)
                rendered = _render(styler, frame)
                if rendered is None:
                    return styler
                with _lock:
                    _rendered[key] = rendered
                    while len(_rendered) > MAX_TABLES:
                        _rendered.popitem(last=False)
    shown = Styler(frame)
    # what Streamlit asks a Styler for, answered from the stored rendering
    shown._compute = lambda: shown  # type: ignore[method-assign]
    shown._translate = lambda *args, **kwargs: rendered  # type: ignore[method-assign]
    return shown


def _stored(key: tuple) -> dict[str, Any] | None:
    with _lock:
        rendered = _rendered.get(key)
        if rendered is not None:
            _rendered.move_to_end(key)
        return rendered


def _rendering_lock(key: tuple) -> threading.Lock:
    with _lock:
        lock = _rendering.get(key)
        if lock is None:
            lock = _rendering[key] = threading.Lock()
            while len(_rendering) > 4 * MAX_TABLES:  # a dropped lock at worst lets two sessions render once
                _rendering.popitem(last=False)
        return lock


def _render(styler: Styler, frame: pd.DataFrame) -> dict[str, Any] | None:
    """The parts of pandas' rendering Streamlit reads, without the cells that show `str(value)`;
    None when a cell the fingerprint does not cover shows something else."""
    styler._compute()
    translated = styler._translate(False, False)
    plain = frame.astype(str)  # what Streamlit starts from before it puts in the shown texts
    covered = _covered_columns(frame)
    body = []
    for row in translated.get("body", []):
        kept = []
        for cell in row:
            if cell.get("type") != "td" or "id" not in cell:
                continue
            r, c = _position(cell["id"])
            shown = cell.get("display_value")
            text = str(shown.value) if isinstance(shown, Enum) else str(shown)  # as Streamlit reads it
            if text == plain.iat[r, c]:
                continue
            if c not in covered:
                return None
            kept.append({"id": cell["id"], "display_value": text})
        body.append(kept)
    return {"body": body, "cellstyle": translated.get("cellstyle", []),
            "table_styles": translated.get("table_styles", [])}


def _position(cell_id: str) -> tuple[int, int]:
    """'row12_col3' -> (12, 3)."""
    row, col = cell_id.split("_")
    return int(row[3:]), int(col[3:])


def _covered_columns(frame: pd.DataFrame) -> set[int]:
    """Positions of the columns the fingerprint covers (every column of scalars)."""
    return {i for i, (_, column) in enumerate(frame.items()) if _column_digest(column) is not None}


def _column_digest(column: pd.Series) -> bytes | None:
    """The column's values exactly (numbers by their bits: -0.0 shows as '-0,0', 0.0 as '0,0'); None for
    a column of lists (a sparkline column), which is never formatted and never part of the stored rendering."""
    values = column.array
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufcmM":
        return column.to_numpy().tobytes()
    if isinstance(values, BaseMaskedArray):  # Int64, Float64 ...: the values and where they are missing
        return values._data.tobytes() + values._mask.tobytes()
    try:
        hashed = pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes()
    except TypeError:  # unhashable values: lists
        return None
    if column.dtype == object:  # pandas hashes mixed objects by their text: 1 and "1" alike
        hashed += repr(sorted({type(v).__qualname__ for v in column})).encode()
    return hashed


def _fingerprint(frame: pd.DataFrame) -> bytes | None:
    """A digest of the frame's index, column names, dtypes and scalar columns' values."""
    if not frame.columns.is_unique:
        return None
    digest = hashlib.blake2b(digest_size=20)
    digest.update(repr((frame.shape, list(frame.columns), [str(t) for t in frame.dtypes])).encode())
    index = frame.index
    digest.update(repr(index).encode() if isinstance(index, pd.RangeIndex) else
                  pd.util.hash_pandas_object(index).to_numpy().tobytes())
    for _, column in frame.items():
        digest.update(_column_digest(column) or b"-")
    return digest.digest()


def without_gaps(frame: pd.DataFrame, lang: str, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """The frame as a table shows it to a reader: a missing cell empty, never 'None', 'nan' or '<NA>'.

    Streamlit writes a missing value as a grey 'None'. A column with a gap becomes text: its numbers
    written as `lang` writes them (1.234,5), with the decimals they need up to four; other columns are
    left as they are (numbers stay numbers, sorted as numbers), and so are the columns in `keep` (a
    progress bar reads numbers).
    """
    from i18n import format_number

    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        missing = column.isna().to_numpy()
        if not missing.any() or out.columns[position] in keep:
            continue
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        values = column.to_numpy(dtype=object)
        out.isetitem(position, pd.Series(
            ["" if gap else format_number(value, lang, _decimals_needed(value)) if numeric else value
             for value, gap in zip(values, missing)], index=out.index, dtype=object))
    return out


def _decimals_needed(value: float, most: int = 4) -> int:
    """0 for 12.0, 2 for 97.75, `most` for 97.70641…: the digits a value has, up to `most`."""
    for places in range(most):
        if round(float(value), places) == round(float(value), most):
            return places
    return most
