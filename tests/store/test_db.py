"""store.connect under the dashboard's load: many threads of one process opening and closing the same file."""

from __future__ import annotations

import threading
from pathlib import Path

import store


def test_threads_opening_and_closing_one_file_at_once_all_get_a_connection(fresh_db: Path) -> None:
    # DuckDB shares one instance per file in a process: opening it while another thread closes the last
    # connection raised "Unique file handle conflict" to a page (seen with 20 browser sessions at once)
    failures: list[str] = []
    answers: list[int] = []

    def work() -> None:
        for _ in range(150):
            try:
                with store.connect(fresh_db) as con:
                    answers.append(con.execute("SELECT count(*) FROM unit").fetchall()[0][0])
            except Exception as exc:  # collected: the assertion below names them
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(answers) == 8 * 150 and len(set(answers)) == 1 and answers[0] > 3000
