"""Upload: drop spreadsheets, review each one with the loader before anything is written, then commit."""

import streamlit as st

from ui.auth import require_role
from ui.i18n import t
from ui.upload import all_problems_download, drop_files, file_review, review_all, tab_label

require_role("analyst")

st.title(t("upload.title"))
st.caption(t("upload.caption"))
uploads = drop_files()
if not uploads:
    st.info(t("upload.empty"))
    st.stop()

reviewed = review_all(uploads)
all_problems_download(reviewed)
for tab, (upload, state) in zip(st.tabs([tab_label(upload, state) for upload, state in reviewed]), reviewed):
    with tab:
        file_review(upload, state)
