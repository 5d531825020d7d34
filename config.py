"""Settings read once from the environment when the app starts; each a flat constant (see README)."""

from __future__ import annotations

import os

# A month counts as complete in a scope (and pages open on it) once this share of the scope's units reported.
# Written as a share (0.8) or a percentage (80).
_share = float(os.environ.get("XASO_COMPLETE_SHARE", "0.8") or "0.8")
COMPLETE_SHARE = _share / 100 if _share > 1 else _share
