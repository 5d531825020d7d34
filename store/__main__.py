"""Command line for accounts and the audit trail: python -m store users|audit. --help is the documentation.

Passwords never go on the command line (shell history, process list): `add` and `reset` print a new
random password once, or read one line from standard input with --password-stdin.
Everything printed passes through textsafe.visible: a name typed at the sign-in form with terminal
escape sequences is shown as text (`\x1b[31m`), never obeyed by the administrator's terminal.
Exit codes: 0 done; 1 refused (the reason is printed); 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from dataclasses import asdict

import pandas as pd

import store
from errors import XasoError
from i18n import env_language, translate
from store.audit import audit_log
from store.users import ROLES, add_user, list_users, operator, reset_password, set_disabled, system_user, unlock
from textsafe import visible

EXIT_OK, EXIT_REFUSED = 0, 1


def _parser(lang: str) -> argparse.ArgumentParser:
    t = lambda key: translate(key, lang)  # noqa: E731 - a short alias keeps the help table readable
    parser = argparse.ArgumentParser(prog="python -m store", description=t("ucli.description"))
    parser.add_argument("--db", help=t("cli.db.help"))
    groups = parser.add_subparsers(dest="group", required=True)
    users = groups.add_parser("users", help=t("ucli.users.help")).add_subparsers(dest="command", required=True)
    add = users.add_parser("add", help=t("ucli.add.help"))
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--province", metavar="CODE", help=t("ucli.province.help"))
    add.add_argument("--name", help=t("ucli.name.help"))
    add.add_argument("--password-stdin", action="store_true", help=t("ucli.password_stdin.help"))
    users.add_parser("list", help=t("ucli.list.help")).add_argument("--json", action="store_true")
    for command in ("disable", "enable", "unlock"):
        users.add_parser(command, help=t(f"ucli.{command}.help")).add_argument("username")
    reset = users.add_parser("reset", help=t("ucli.reset.help"))
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help=t("ucli.password_stdin.help"))
    audit = groups.add_parser("audit", help=t("ucli.audit.help"))
    audit.add_argument("--actor")
    audit.add_argument("--action")
    audit.add_argument("--csv", action="store_true", help=t("ucli.csv.help"))
    return parser


def main(argv: list[str] | None = None) -> int:
    lang = env_language()
    args = _parser(lang).parse_args(argv)  # exits 2 on a usage error
    actor = operator(system_user())
    try:
        with store.connect(args.db) as con:
            if args.group == "audit":
                frame = _visible_cells(audit_log(con, actor, actor=args.actor, action=args.action))
                _say(frame.to_csv(index=False) if args.csv else frame.to_string(index=False))
            elif args.command == "list":
                _print_users(list_users(con, actor), args.json, lang)
            elif args.command in ("add", "reset"):
                password, generated = _password(args.password_stdin)
                if args.command == "add":
                    add_user(con, actor, args.username, password, args.role, province_code=args.province,
                             display_name=args.name)
                else:
                    reset_password(con, actor, args.username, password)
                _say(translate(f"ucli.{args.command}.done", lang,
                               username=visible(args.username.strip().lower())))
                if generated:
                    _say(translate("ucli.password_once", lang, password=password))
            elif args.command == "unlock":
                forgotten = unlock(con, actor, args.username)
                _say(translate("ucli.unlock.done", lang, username=visible(args.username.strip().lower()),
                               failures=forgotten))
            else:
                set_disabled(con, actor, args.username, args.command == "disable")
                _say(translate(f"ucli.{args.command}.done", lang, username=visible(args.username)))
    except XasoError as exc:
        print(visible(exc.message(lang)), file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def _password(from_stdin: bool) -> tuple[str, bool]:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return secrets.token_urlsafe(12), True


def _say(text: str) -> None:
    """Print our own text of one or more lines; data in it was escaped already, this is the safety net."""
    print(visible(text, keep_lines=True))


def _visible_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Each text cell with its control characters escaped (a cell's line breaks too: one row, one line)."""
    return frame.apply(lambda column: column.map(lambda v: visible(v) if isinstance(v, str) else v)
                       if column.dtype == object or pd.api.types.is_string_dtype(column) else column)


def _print_users(users: list, as_json: bool, lang: str) -> None:
    if as_json:  # JSON escapes C0 controls itself; visible adds the others (as \u escapes, still JSON)
        _say(json.dumps([asdict(u) for u in users], ensure_ascii=False))
        return
    for user in users:
        _say(translate("ucli.user_row", lang, username=visible(user.username), name=visible(user.display_name),
                        role=translate(f"role.{user.role}", lang),
                        scope=translate("ucli.one_province", lang, province=user.province_code)
                        if user.province_code else translate("ucli.all_provinces", lang),
                        state=translate("ucli.disabled" if user.disabled else "ucli.active", lang)))


if __name__ == "__main__":
    sys.exit(main())
