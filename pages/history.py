"""Upload history: every batch, what it changed (before and after), and rolling a batch back."""

import streamlit as st

from store.batches import batch_list
from ui.auth import require_role
from ui.data import query
from ui.history import (batch_picker, batches_styled, rollback_form, rollback_outcome,
                        show_changes)
from ui.i18n import language, t

require_role("analyst")

st.title(t("history.title"))
st.caption(t("history.caption"))
rollback_outcome()
batches = query(batch_list)
if batches.empty:
    st.info(t("history.empty"))
    st.code("python -m etl load FILE.xlsx", language="bash")
    st.stop()

st.dataframe(batches_styled(batches, language()), hide_index=True, width="stretch")
st.caption(t("history.repeat_note"))

st.subheader(t("history.changes_title"))
batch = batch_picker(batches, "history")
show_changes(int(batch.name), "history_changes")

st.subheader(t("history.rollback.title"))
rollback_form(batch, "history")
