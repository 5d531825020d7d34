"""The one place that opens DuckDB: connections, schema migrations, reference data.

`connect()` opens the file for one unit of work and closes it afterwards, so no connection is ever
shared across Streamlit's threads and another process (the command-line loader) can take the
single-writer lock between two page runs.
"""

from store.db import XASO_VERSION, connect, database_path, transaction

__all__ = ["XASO_VERSION", "connect", "database_path", "transaction"]
