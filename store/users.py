"""People who sign in: accounts with bcrypt hashes, lock-out, expiring sessions, and what each role may do.

Permissions are decided here, below the UI: the loader and the store ask `check_write` before they
write, so hiding a button is never the only guard. Every sign-in (and failure) and every change to an
account is written to the audit trail in the same transaction as the change itself.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import bcrypt
import duckdb

from errors import XasoError
from i18n import translate
from store.audit import record, record_refusal
from store.db import transaction

ROLES = ("viewer", "analyst", "admin")
MAX_FAILED_SIGN_INS = 5  # then the name waits LOCK_MINUTES at the address that failed (see sign_in)
LOCK_MINUTES = 15
CLIENT_FREE_FAILURES = 5  # failures one address may make (any names) in LOCK_MINUTES before backing off
SESSION_HOURS = float(os.environ.get("XASO_SESSION_HOURS", "8"))  # a working day
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; a longer one would be silently cut
BCRYPT_ROUNDS = int(os.environ.get("XASO_BCRYPT_ROUNDS", "12"))  # tests lower it to stay fast
FIRST_ADMIN = "admin"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,63}$")  # an e-mail address too, for single sign-on


class SignInFailed(XasoError):
    """Wrong name or password; deliberately the same message for both."""

    code = "sign_in_failed"


class AccountLocked(XasoError):
    code = "account_locked"


class TooManyAttempts(XasoError):
    """One address failed too often (whatever the names): it waits `minutes` before the next try."""

    code = "too_many_attempts"


class SessionExpired(XasoError):
    code = "session_expired"


class NotAllowed(XasoError):
    """The signed-in person's role or province does not allow this action (`action.<action>` names it)."""

    code = "not_allowed"

    def message(self, lang: str) -> str:
        action = translate(f"action.{self.params['action']}", lang)
        return (f"{translate('problem.not_allowed', lang, **{**self.params, 'action': action})} "
                f"{translate('fix.not_allowed', lang, **self.params)}")


class BadAccount(XasoError):
    """An account request that cannot be honoured; `reason` picks the message (problem.account_<reason>)."""

    REASONS = ("username", "taken", "unknown", "role", "province", "password_short", "password_long",
               "last_admin")

    def __init__(self, reason: str, **params: object) -> None:
        self.code = f"account_{reason}"
        super().__init__(**params)


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    province_code: str | None  # None: every province
    disabled: bool = False

    def can_read(self, province_code: str | None) -> bool:
        return self.province_code is None or province_code == self.province_code

    def can_write(self, province_code: str | None) -> bool:
        """May load, correct and roll back data of this province (None: data of several provinces)."""
        if self.disabled or self.role == "viewer":
            return False
        return self.role == "admin" or self.province_code is None or province_code == self.province_code


@dataclass(frozen=True)
class Session:
    token: str  # kept by the browser session only; the database keeps its SHA-256
    user: User
    expires_at: datetime


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadAccount(reason="password_short", minimum=MIN_PASSWORD_LENGTH)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise BadAccount(reason="password_long", maximum=MAX_PASSWORD_BYTES)


def system_user() -> str:
    """The operating-system account running this process (the command line's operator)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def operator(name: str) -> User:
    """Whoever runs the command line or a script on the server: it already holds the database file, so it
    acts as admin under its own name."""
    return User(name, name, "admin", None)


def acting(who: User | str | None) -> User:
    """The person a write is checked and recorded for: a signed-in User from the web, or a local operator's
    name (the command line, the demo builder, scripts). Nobody (a session that ended) may write."""
    if not who:
        raise SessionExpired()
    return who if isinstance(who, User) else operator(who)


def provinces_of(con: duckdb.DuckDBPyConnection, unit_codes: list[str] | set[str]) -> dict[str, str]:
    """unit code -> its province code (a province's own code maps to itself)."""
    rows = con.execute("SELECT code, coalesce(parent_code, code) FROM unit WHERE list_contains(?, code)",
                       [sorted(set(unit_codes))]).fetchall()
    return dict(rows)


def check_write_units(con: duckdb.DuckDBPyConnection, who: User | str | None, unit_codes: list[str] | set[str],
                      action: str, target: str | None) -> User:
    """Refuse (NotAllowed, recorded in the audit trail) unless `who` may change data of every unit named."""
    actor = acting(who)
    try:
        check_write(actor, set(provinces_of(con, unit_codes).values()), action)
    except NotAllowed as refused:
        record_refusal(con, actor.username, action, target, {"provinces": refused.params["provinces"]})
        raise
    return actor


SYSTEM = User("xaso", "Xã Số", "admin", None)  # the first run, creating the first admin


def add_user(con: duckdb.DuckDBPyConnection, actor: User, username: str, password: str, role: str, *,
             province_code: str | None = None, display_name: str | None = None) -> User:
    """Create an account (admins only); refuses a taken or malformed name, an unknown role or province,
    a weak password."""
    _require_admin(con, actor, "user_add", username)
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise BadAccount(reason="username", value=username)
    if role not in ROLES:
        raise BadAccount(reason="role", value=role)
    _check_province(con, province_code)
    check_password_policy(password)
    with transaction(con):
        if _row(con, username) is not None:
            raise BadAccount(reason="taken", value=username)
        stamp = now()
        con.execute("""INSERT INTO app_user (username, display_name, password_hash, role, province_code,
                       created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [username, display_name or username, hash_password(password), role, province_code,
                     stamp, stamp])
        record(con, actor.username, "user_add", username, {"role": role, "province": province_code})
    return get_user(con, username)


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User:
    row = _row(con, username)
    if row is None:
        raise BadAccount(reason="unknown", value=username)
    return _user(row)


def list_users(con: duckdb.DuckDBPyConnection, reader: User) -> list[User]:
    """Every account (admins only)."""
    require_role(reader, "admin", "user_list")
    rows = con.execute("SELECT username, display_name, role, province_code, disabled FROM app_user "
                       "ORDER BY username").fetchall()
    return [User(*row) for row in rows]


def set_disabled(con: duckdb.DuckDBPyConnection, actor: User, username: str, disabled: bool) -> User:
    """Disable (or enable again) an account; its sessions end at once. The last active admin stays."""
    _require_admin(con, actor, "user_disable" if disabled else "user_enable", username)
    target = get_user(con, username)
    if disabled and target.role == "admin" and not target.disabled and _active_admins(con) <= 1:
        raise BadAccount("last_admin", value=username)
    with transaction(con):
        con.execute("UPDATE app_user SET disabled = ?, updated_at = ? WHERE username = ?",
                    [disabled, now(), username])
        if disabled:
            con.execute("UPDATE user_session SET ended_at = ? WHERE username = ? AND ended_at IS NULL",
                        [now(), username])
        record(con, actor.username, "user_disable" if disabled else "user_enable", username, {})
    return get_user(con, username)


def reset_password(con: duckdb.DuckDBPyConnection, actor: User, username: str, password: str) -> User:
    """A new password (admins only); also lifts a lock-out and ends the account's sessions."""
    _require_admin(con, actor, "user_reset", username)
    get_user(con, username)
    check_password_policy(password)
    with transaction(con):
        con.execute("""UPDATE app_user SET password_hash = ?, failed_attempts = 0, locked_until = NULL,
                       updated_at = ? WHERE username = ?""", [hash_password(password), now(), username])
        con.execute("UPDATE user_session SET ended_at = ? WHERE username = ? AND ended_at IS NULL",
                    [now(), username])
        _forget_failures(con, username)
        record(con, actor.username, "user_reset", username, {})
    return get_user(con, username)


def sign_in(con: duckdb.DuckDBPyConnection, username: str, password: str, *,
            client: str | None = None, at: datetime | None = None) -> Session:
    """Check the password and open a session; counts failures per name typed and per client address.

    A wrong password, an unknown name and a disabled account give the same answer, take the same time
    and leave the same lock state (failures are counted per name typed, an account's or not), so
    neither the form nor the lock-out tells a guesser which names exist. `client` is the address the
    web server saw (None: local, the command line).
    """
    at = at or now()
    username = username.strip().lower()
    client = _client_key(client)
    _refuse_while_locked(con, username, client, at)
    row = _row(con, username)
    typed = password.encode("utf-8")
    if len(typed) > MAX_PASSWORD_BYTES:
        typed = b""  # bcrypt refuses it; no stored password is that long anyway
    # an unknown name is checked against a dummy hash, so both answers take the same time
    stored = row["password_hash"].encode("ascii") if row is not None else _dummy_hash()
    password_ok = bcrypt.checkpw(typed, stored) and row is not None
    if not password_ok or row["disabled"]:
        _note_failure(con, username, client, row is not None, at)
        raise SignInFailed()
    return _open_session(con, row, at, {"client": client} if client else {}, client=client)


def _open_session(con: duckdb.DuckDBPyConnection, row: dict, at: datetime, detail: dict, *,
                  client: str = "") -> Session:
    token = secrets.token_urlsafe(32)
    expires = at + timedelta(hours=SESSION_HOURS)
    username = row["username"]
    with transaction(con):
        # the failures at this address are forgiven; a guesser's elsewhere still count against them
        con.execute("DELETE FROM sign_in_failure WHERE name = ? AND client = ?", [username, client])
        con.execute("INSERT INTO user_session VALUES (?, ?, ?, ?, NULL)", [_digest(token), username, at, expires])
        record(con, username, "sign_in", username, detail, at=at)
    return Session(token, _user(row), expires)


def sso_sign_in(con: duckdb.DuckDBPyConnection, email: str, *, at: datetime | None = None) -> Session:
    """A session for someone the identity provider vouched for: their e-mail must be an enabled account
    here (its role and province come from this list, not from the provider)."""
    at = at or now()
    username = (email or "").strip().lower()
    row = _row(con, username) if username else None
    if row is None or row["disabled"]:
        record(con, username[:64] or "?", "sign_in_failed", username[:64], {"via": "sso", "known": row is not None},
               outcome="refused", at=at)
        raise SignInFailed()
    return _open_session(con, row, at, {"via": "sso"})


def session_user(con: duckdb.DuckDBPyConnection, token: str | None, *, at: datetime | None = None) -> User:
    """The person behind a session token; refuses an unknown, ended or expired session or a disabled account."""
    at = at or now()
    row = con.execute("""SELECT u.username, u.display_name, u.role, u.province_code, u.disabled,
                                s.expires_at, s.ended_at
                         FROM user_session s JOIN app_user u USING (username) WHERE s.token_sha256 = ?""",
                      [_digest(token or "")]).fetchone()
    if row is None or row[6] is not None or row[5] <= at or row[4]:
        raise SessionExpired()
    return User(*row[:5])


def sign_out(con: duckdb.DuckDBPyConnection, token: str) -> None:
    con.execute("UPDATE user_session SET ended_at = ? WHERE token_sha256 = ? AND ended_at IS NULL",
                [now(), _digest(token)])


def check_write(user: User, province_codes: set[str] | list[str], action: str) -> None:
    """Refuse (NotAllowed) unless the user may change data of every province named."""
    outside = sorted(code for code in set(province_codes) if not user.can_write(code))
    if outside or user.role == "viewer" or user.disabled:
        raise NotAllowed(user=user.username, role=user.role, action=action,
                         provinces=", ".join(outside) or "–")


def require_role(user: User, role: str, action: str) -> None:
    """Refuse unless the user holds `role` or a higher one (viewer < analyst < admin)."""
    if user.disabled or ROLES.index(user.role) < ROLES.index(role):
        raise NotAllowed(user=user.username, role=user.role, action=action, provinces="–")


def ensure_first_admin(con: duckdb.DuckDBPyConnection) -> str | None:
    """On a database with no account, create 'admin' with a random password and return it (once)."""
    if con.execute("SELECT count(*) FROM app_user").fetchone()[0]:
        return None
    password = secrets.token_urlsafe(12)
    add_user(con, SYSTEM, FIRST_ADMIN, password, "admin", display_name="Quản trị viên")
    return password


def _check_province(con: duckdb.DuckDBPyConnection, province_code: str | None) -> None:
    if province_code is None:
        return
    found = con.execute("SELECT count(*) FROM unit WHERE code = ? AND parent_code IS NULL",
                        [province_code]).fetchone()[0]
    if not found:
        raise BadAccount(reason="province", value=province_code)


def _require_admin(con: duckdb.DuckDBPyConnection, actor: User, action: str, target: str) -> None:
    """Refuse (and record the refusal) unless the actor is an active admin."""
    try:
        require_role(actor, "admin", action)
    except NotAllowed:
        record_refusal(con, actor.username, action, target, {"role": actor.role})
        raise


def _active_admins(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM app_user WHERE role = 'admin' AND NOT disabled").fetchone()[0]


def _row(con: duckdb.DuckDBPyConnection, username: str) -> dict | None:
    cursor = con.execute("SELECT * FROM app_user WHERE username = ?", [username])
    row = cursor.fetchone()
    return None if row is None else dict(zip([d[0] for d in cursor.description], row))


def _user(row: dict) -> User:
    return User(row["username"], row["display_name"], row["role"], row["province_code"], row["disabled"])


@dataclass(frozen=True)
class SignInState:
    """What the failures so far mean for the next try of a name from an address (the same for any name)."""

    failures: int  # this name from this address, within the last LOCK_MINUTES
    locked_minutes: int  # 0: not locked
    client_failures: int  # any name from this address, within the last LOCK_MINUTES
    client_wait_minutes: int  # 0: this address may try now


def sign_in_state(con: duckdb.DuckDBPyConnection, username: str, client: str | None = None, *,
                  at: datetime | None = None) -> SignInState:
    """The lock and back-off a sign-in of `username` from `client` meets now; an account is not looked up.

    A name is locked at an address after MAX_FAILED_SIGN_INS failures there within LOCK_MINUTES, until
    LOCK_MINUTES after the last; other addresses are not locked by it, so an outsider cannot keep an
    administrator out. An address that failed CLIENT_FREE_FAILURES times (any names) waits 1, 2, 4, 8,
    then 15 minutes after each further failure.
    """
    at = at or now()
    name, client = _name_key(username), _client_key(client)
    since = at - timedelta(minutes=LOCK_MINUTES)
    mine, mine_last, ours, ours_last = con.execute("""
        SELECT count(*) FILTER (WHERE name = ?), max(failed_at) FILTER (WHERE name = ?), count(*), max(failed_at)
        FROM sign_in_failure WHERE client = ? AND failed_at > ? AND failed_at <= ?
    """, [name, name, client, since, at]).fetchall()[0]
    locked = _minutes_left(mine_last + timedelta(minutes=LOCK_MINUTES), at) if mine >= MAX_FAILED_SIGN_INS else 0
    wait = 0
    if ours >= CLIENT_FREE_FAILURES:
        until = ours_last + timedelta(minutes=min(2 ** (ours - CLIENT_FREE_FAILURES), LOCK_MINUTES))
        wait = _minutes_left(until, at) if until > at else 0
    return SignInState(mine, locked, ours, wait)


def unlock(con: duckdb.DuckDBPyConnection, actor: User, username: str) -> int:
    """Lift every lock and back-off that failures on this account's name caused, at every address (admins
    only; the server's command line is the way in that no outsider can block). Returns the failures
    forgotten."""
    _require_admin(con, actor, "user_unlock", username)
    get_user(con, username)
    with transaction(con):
        forgotten = _forget_failures(con, username)
        record(con, actor.username, "user_unlock", username, {"failures": forgotten})
    return forgotten


def _refuse_while_locked(con: duckdb.DuckDBPyConnection, username: str, client: str, at: datetime) -> None:
    """Refuse (and record) a try of a locked name, or from an address that must wait, before any password
    is checked."""
    state = sign_in_state(con, username, client, at=at)
    name = _name_key(username)
    detail = {"client": client} if client else {}
    if state.locked_minutes:
        record(con, name, "sign_in_failed", name, {"reason": "locked", **detail}, outcome="refused", at=at)
        raise AccountLocked(minutes=state.locked_minutes)
    if state.client_wait_minutes:
        record(con, name, "sign_in_failed", name, {"reason": "too_many_attempts", **detail}, outcome="refused",
               at=at)
        raise TooManyAttempts(minutes=state.client_wait_minutes)


def _note_failure(con: duckdb.DuckDBPyConnection, username: str, client: str, known: bool, at: datetime) -> None:
    name = _name_key(username)
    with transaction(con):
        # what is older than the window no longer counts; keeping it would only let the table grow
        con.execute("DELETE FROM sign_in_failure WHERE failed_at <= ?", [at - timedelta(minutes=LOCK_MINUTES)])
        con.execute("INSERT INTO sign_in_failure VALUES (?, ?, ?)", [name, client, at])
        record(con, name, "sign_in_failed", name, {"known": known, **({"client": client} if client else {})},
               outcome="refused", at=at)


def _forget_failures(con: duckdb.DuckDBPyConnection, username: str) -> int:
    return con.execute("DELETE FROM sign_in_failure WHERE name = ?", [_name_key(username)]).fetchall()[0][0]


def _name_key(username: str) -> str:
    return (username or "").strip().lower()[:64]


def _client_key(client: str | None) -> str:
    return (client or "").strip()[:64]


def _minutes_left(until: datetime, at: datetime) -> int:
    return max(1, -(-int((until - at).total_seconds()) // 60))


@cache
def _dummy_hash() -> bytes:
    return hash_password(secrets.token_urlsafe(16)).encode("ascii")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
