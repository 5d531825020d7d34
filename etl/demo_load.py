"""Building the demo database: generated spreadsheets loaded through the same loader as real uploads."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

import store
from etl.demo import DEMO_MONTHS, generate_demo_frames, write_demo_workbooks
from etl.load import load_file
from i18n import translate
from store.reference import CATALOG_CSV, DATA_DIR, UNITS_CSV
from store.users import FIRST_ADMIN, ensure_first_admin

DEMO_USER = "demo"


def build_demo(db: Path | str | None = None, *, seed: int = 766, out_dir: Path | None = None, lang: str = "vi",
               echo: Callable[[str], None] = print) -> list[int]:
    """Generate 16 months for all communes, write them as upload-style xlsx, load each; return batch ids."""
    started = time.monotonic()
    out_dir = out_dir or (Path(db).parent if db else DATA_DIR) / "demo"  # beside the database it fills
    units = pd.read_csv(UNITS_CSV, dtype=str, keep_default_na=False)
    catalog = pd.read_csv(CATALOG_CSV, dtype=str, keep_default_na=False)
    echo(translate("demo.generating", lang, units=len(units), months=len(DEMO_MONTHS)))
    frames = generate_demo_frames(units, catalog, seed=seed)
    paths = write_demo_workbooks(frames, catalog, out_dir,
                                 progress=lambda i, n, name: echo(translate("demo.written", lang, i=i, n=n, file=name)))
    batches = []
    for i, path in enumerate(paths, 1):
        # generated here, so trusted: read in process, sparing 16 files the worker's fork and pickling
        result = load_file(path, db=db, user=DEMO_USER, lang=lang, in_process=True)
        if result.status == "refused":
            raise RuntimeError(f"demo file {path.name} refused: {[p.message('en') for p in result.review.errors][:3]}")
        if result.batch_id is not None:
            batches.append(result.batch_id)
        echo(translate("demo.loaded", lang, i=i, n=len(paths), file=path.name, rows=result.rows_loaded,
                       status=translate(f"status.{result.status}", lang)))
    echo(translate("demo.done", lang, seconds=round(time.monotonic() - started, 1)))
    return batches


def has_observations(db: Path | str | None = None) -> bool:
    with store.connect(db) as con:
        return con.execute("SELECT count(*) FROM observation").fetchall()[0][0] > 0


def ensure_database(db: Path | str | None = None, *, with_demo: bool = True, lang: str = "vi",
                    echo: Callable[[str], None] = print) -> None:
    """Create the database with the reference data; build the demo data when it holds no observation."""
    path = Path(db) if db else store.database_path()
    echo(translate("init.database", lang, path=str(path)))
    with store.connect(db) as con:
        password = ensure_first_admin(con)
    if password:  # printed once, here; only its bcrypt hash is kept
        echo(translate("init.first_admin", lang, username=FIRST_ADMIN, password=password))
    if with_demo and not has_observations(db):
        build_demo(db, lang=lang, echo=echo)
    else:
        echo(translate("init.ready", lang))
