"""Settings read once from the environment: the loader's limits and the figures' rules live here.

Every `XASO_` variable read here is documented in README.md (Settings); tests/test_readme.py checks it.
"""

from __future__ import annotations

import os


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


# -- an uploaded or command-line file ---------------------------------------------------------------
MAX_UPLOAD_MB = _number("XASO_MAX_UPLOAD_MB", 50)
# cells of one sheet's grid, from the cell references actually written in the sheet (not only its
# declared <dimension>): 200,000 rows x 50 columns; a grid this size takes about a gigabyte to read
MAX_CELLS = int(_number("XASO_MAX_CELLS", 10_000_000))
MAX_COLUMNS = int(_number("XASO_MAX_COLUMNS", 1_000))  # columns of one CSV row; a report has a few dozen
MAX_ROWS = int(_number("XASO_MAX_ROWS", 1_000_000))  # rows of one CSV file (the 200,000-row file fits)
# a review keeps this many problems of one kind, then one summary saying how many more there were
MAX_PROBLEMS_PER_CODE = int(_number("XASO_MAX_PROBLEMS_PER_CODE", 300))

# -- the bounded worker that reads an untrusted file ------------------------------------------------
# Its address space (RLIMIT_AS). Virtual, not resident: the worker starts at about 0.5 GB with numpy,
# pandas and calamine imported, and the 200,000-row benchmark file peaks near 2 GB virtual.
WORKER_MEMORY_MB = int(_number("XASO_WORKER_MEMORY_MB", 3072))
# wall clock for one file: the 200,000-row benchmark file reads in ~30 s, several times that on a busy machine
WORKER_SECONDS = _number("XASO_WORKER_SECONDS", 300)
WORKER_CPU_SECONDS = int(_number("XASO_WORKER_CPU_SECONDS", 120))  # CPU time for one file (RLIMIT_CPU)
# 0 reads files in the calling process (no isolation; for debugging only)
WORKER_ENABLED = _number("XASO_WORKER", 1) != 0

# -- the Upload page --------------------------------------------------------------------------------
TABLE_ROWS_SHOWN = int(_number("XASO_TABLE_ROWS_SHOWN", 1_000))  # rows given to one table on the page

# -- the figures ------------------------------------------------------------------------------------
# A month counts as complete in a scope (and pages open on it) once this share of the scope's units reported.
# Written as a share (0.8) or a percentage (80).
_share = _number("XASO_COMPLETE_SHARE", 0.8)
COMPLETE_SHARE = _share / 100 if _share > 1 else _share
