"""The database schema as an ordered list of migrations; the position in the list is the version.

Never edit a migration that has shipped: append a new one. Opening an older file applies the missing
ones; opening a file from a newer Xã Số refuses (SchemaTooNew) instead of guessing.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: units, indicators, batches and observations with history
    """
    CREATE TABLE unit (
        code          VARCHAR PRIMARY KEY,   -- 2-digit province or 5-digit commune code
        name_vi       VARCHAR NOT NULL,      -- 'Ba Đình'
        full_name_vi  VARCHAR NOT NULL,      -- 'Phường Ba Đình'
        name_ascii    VARCHAR NOT NULL,      -- 'Ba Dinh'
        name_en       VARCHAR NOT NULL,
        unit_type     VARCHAR NOT NULL,      -- tinh | thanh_pho | xa | phuong | dac_khu
        parent_code   VARCHAR,               -- province code of a commune; NULL for a province
        valid_from    DATE NOT NULL,
        valid_to      DATE
    );
    CREATE TABLE unit_alias (
        alias_code    VARCHAR PRIMARY KEY,   -- another code spreadsheets may carry for the unit
        unit_code     VARCHAR NOT NULL,
        source        VARCHAR NOT NULL
    );
    CREATE TABLE unit_merge (
        unit_code     VARCHAR NOT NULL,      -- the commune in force since 2025-07-01
        old_code      VARCHAR NOT NULL,
        old_full_name VARCHAR NOT NULL,
        merge_type    VARCHAR NOT NULL       -- full | partial
    );
    CREATE TABLE indicator (
        code                 VARCHAR PRIMARY KEY,
        name_vi              VARCHAR NOT NULL,
        name_en              VARCHAR NOT NULL,
        unit                 VARCHAR NOT NULL,   -- count | percent | points | days | per_1000
        direction            VARCHAR NOT NULL,   -- higher | lower | none
        kind                 VARCHAR NOT NULL,   -- count | mean | rate | score | composite
        numerator            VARCHAR,
        denominator          VARCHAR,
        min_value            DOUBLE,
        max_value            DOUBLE,
        group_766            VARCHAR,
        max_points_766       DOUBLE,
        full_score_threshold DOUBLE,
        target               DOUBLE,
        not_above            VARCHAR,            -- a count this one must not exceed
        decimals             INTEGER NOT NULL,   -- displayed (and ranked) precision
        period_aggregation   VARCHAR NOT NULL,   -- sum | last | ratio | weighted_mean | mean | sum_of_groups
        weight               VARCHAR,            -- the count a weighted mean is weighted by
        notes                VARCHAR
    );
    -- A layout seen once: its header labels (folded, joined) -> the column mapping a person confirmed.
    CREATE TABLE mapping_profile (
        name          VARCHAR PRIMARY KEY,
        fingerprint   VARCHAR NOT NULL,
        mapping       JSON NOT NULL,         -- {label: indicator code or role, '' for ignore}
        created_by    VARCHAR NOT NULL,
        created_at    TIMESTAMP NOT NULL
    );
    -- A user's composite index: indicators with weights, scored on fixed goalposts.
    CREATE TABLE composite (
        name          VARCHAR PRIMARY KEY,
        definition    JSON NOT NULL,         -- {"parts": [[code, weight], ...], "method": "arithmetic"}
        created_by    VARCHAR NOT NULL,
        created_at    TIMESTAMP NOT NULL
    );
    CREATE SEQUENCE batch_id_seq START 1;
    CREATE TABLE batch (
        batch_id      INTEGER PRIMARY KEY DEFAULT nextval('batch_id_seq'),
        file_name     VARCHAR NOT NULL,
        sha256        VARCHAR NOT NULL,
        loaded_by     VARCHAR NOT NULL,
        loaded_at     TIMESTAMP NOT NULL,
        periods       VARCHAR[] NOT NULL,
        rows_loaded   INTEGER NOT NULL,      -- observations written (new or changed values)
        report        JSON NOT NULL,         -- sheet, mapping, skipped rows and warnings
        status        VARCHAR NOT NULL,      -- loaded | rolled_back
        rolled_back_at TIMESTAMP,
        rolled_back_by VARCHAR
    );
    -- Append-only: a correction adds a row and clears is_current on the row it supersedes.
    CREATE TABLE observation (
        unit_code      VARCHAR NOT NULL,
        indicator_code VARCHAR NOT NULL,
        period         VARCHAR NOT NULL,     -- 'YYYY-MM'
        value          DOUBLE NOT NULL,
        numerator      DOUBLE,
        denominator    DOUBLE,
        derived        BOOLEAN NOT NULL,     -- computed by the loader from counts in the same row
        batch_id       INTEGER NOT NULL,
        is_current     BOOLEAN NOT NULL
    );
    """,
    # 2: people who sign in, their sessions, and the audit trail of who did what
    """
    CREATE TABLE app_user (
        username        VARCHAR PRIMARY KEY,   -- lower case, [a-z0-9._-]
        display_name    VARCHAR NOT NULL,
        password_hash   VARCHAR NOT NULL,      -- bcrypt; never the password
        role            VARCHAR NOT NULL,      -- viewer | analyst | admin
        province_code   VARCHAR,               -- NULL: every province
        disabled        BOOLEAN NOT NULL DEFAULT false,
        failed_attempts INTEGER NOT NULL DEFAULT 0,  -- consecutive, reset by a good sign-in
        locked_until    TIMESTAMP,
        created_at      TIMESTAMP NOT NULL,
        updated_at      TIMESTAMP NOT NULL
    );
    CREATE TABLE user_session (
        token_sha256    VARCHAR PRIMARY KEY,   -- the token itself is only in the browser session
        username        VARCHAR NOT NULL,
        created_at      TIMESTAMP NOT NULL,
        expires_at      TIMESTAMP NOT NULL,
        ended_at        TIMESTAMP
    );
    CREATE SEQUENCE audit_id_seq START 1;
    CREATE TABLE audit (
        audit_id        BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
        happened_at     TIMESTAMP NOT NULL,
        actor           VARCHAR NOT NULL,      -- a username, or the name typed at a failed sign-in
        action          VARCHAR NOT NULL,      -- sign_in | sign_in_failed | upload | rollback | user_* | catalog_*
        target          VARCHAR,               -- what it acted on: a username, a batch id, a file name
        outcome         VARCHAR NOT NULL,      -- ok | refused
        detail          JSON NOT NULL
    );
    """,
    # 3: failed sign-ins per name typed (an account or not) and per client address: locks and back-off
    # (they replace app_user.failed_attempts and locked_until, which no longer change)
    """
    CREATE TABLE sign_in_failure (
        name            VARCHAR NOT NULL,      -- as typed, lower case, cut to 64: an account's or any other
        client          VARCHAR NOT NULL,      -- the address the web server saw; '' when none (local, CLI)
        failed_at       TIMESTAMP NOT NULL
    );
    """,
    # 4: what people taught the loader on the Upload page: header words and unit spellings
    """
    -- A header confirmed once: its folded label -> the indicator code or role it holds, for every analyst.
    CREATE TABLE learned_header (
        label_key     VARCHAR PRIMARY KEY,   -- etl.columns.label_key of the header as written
        target        VARCHAR NOT NULL,      -- indicator code or role (_unit_name, _unit_code ...)
        label         VARCHAR NOT NULL,      -- the header as first written, for people reading the table
        created_by    VARCHAR NOT NULL,
        created_at    TIMESTAMP NOT NULL
    );
    -- A unit as a province's files write it ('P. Hòa Bình') -> the unit a person picked for it.
    CREATE TABLE unit_pick (
        province_code VARCHAR NOT NULL,
        written_key   VARCHAR NOT NULL,      -- etl.text.fold of the unit as written
        unit_code     VARCHAR NOT NULL,
        written       VARCHAR NOT NULL,      -- as first written
        created_by    VARCHAR NOT NULL,
        created_at    TIMESTAMP NOT NULL,
        PRIMARY KEY (province_code, written_key)
    );
    """,
    # 5: the 766 index from its metrics: the group score a metric's points count toward, and its points
    # when there is nothing to count (full | zero; blank: no points)
    """
    ALTER TABLE indicator ADD COLUMN part_of VARCHAR;
    ALTER TABLE indicator ADD COLUMN when_empty VARCHAR;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
