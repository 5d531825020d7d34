"""How pages reach analytics: a short-lived connection per call, results cached until the data changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

import store
from store.observations import data_version

T = TypeVar("T")


def current_version() -> str:
    """Changes whenever a batch is loaded or rolled back, so cached results never go stale."""
    with store.connect() as con:
        return data_version(con)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(function_name: str, version: str, db: str, args: tuple[Any, ...]) -> Any:
    module_name, _, attr = function_name.rpartition(".")
    function = getattr(__import__(module_name, fromlist=[attr]), attr)
    with store.connect() as con:
        return function(con, *args)


def query(function: Callable[..., T], *args: Any) -> T:
    """Call an analytics function `function(con, *args)`; cached per data version and database file."""
    name = f"{function.__module__}.{function.__qualname__}"
    return _cached(name, current_version(), str(store.database_path()), args)
