"""ui.auth.checked_for_this_run: app.py's check of the session serves its page in the same run only."""

from __future__ import annotations

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

from store.users import User
from ui import auth

LAN = User("lan", "Lan", "viewer", None)


@pytest.mark.parametrize("ending", [None, StopException, RerunException])
def test_the_check_is_forgotten_when_the_run_leaves_the_block_however_it_leaves(ending):
    try:
        with auth.checked_for_this_run(LAN):
            assert auth._this_run.checked and auth._this_run.user is LAN
            if ending is StopException:
                raise StopException()
            if ending is RerunException:
                raise RerunException(None)
    except (StopException, RerunException):
        pass
    assert not auth._this_run.checked and auth._this_run.user is None
