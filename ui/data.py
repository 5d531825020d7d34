"""How pages reach analytics: a short-lived connection per call, results cached until the data changes;
and what pages build from those results, kept the same way (`kept`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

import store
from store.observations import data_version

T = TypeVar("T")


@st.cache_data(ttl=1, show_spinner=False)
def _version(db: str) -> str:
    """Changes with every load and rollback, so cached results never go stale; read at most once a second."""
    with store.connect(db) as con:
        return data_version(con)


def _function(function_name: str) -> Callable[..., Any]:
    module_name, _, attr = function_name.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(function_name: str, version: str, db: str, args: tuple[Any, ...]) -> Any:
    with store.connect(db) as con:
        return _function(function_name)(con, *args)


# a national map figure holds ~5 MB of hover texts and locations (measured): 48 of them stay well under 1 GB
@st.cache_resource(show_spinner=False, max_entries=48)
def _kept(function_name: str, version: str, db: str, args: tuple[Any, ...]) -> Any:
    return _function(function_name)(*args)


def query(function: Callable[..., T], *args: Any) -> T:
    """Call an analytics function `function(con, *args)`; cached per data version and database file."""
    name = f"{function.__module__}.{function.__qualname__}"
    db = str(store.database_path())
    return _cached(name, _version(db), db, args)


def kept(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, built once per data version and shared by every session as it is (not a copy):
    for what a page builds from query() results on every run, the same for everyone who asks the same
    (a plotly figure, a dict of labels). `function` gets everything it depends on as arguments (the
    language too, never the session's state) and nobody may change what it returns."""
    name = f"{function.__module__}.{function.__qualname__}"
    db = str(store.database_path())
    return _kept(name, _version(db), db, args)


def data_changed() -> None:
    """Call after this session wrote something (a composite, an upload): the next query sees it at once."""
    _version.clear()
