"""Command line: python -m etl load|history|rollback|demo|init. Its --help is the documentation.

Exit codes: 0 loaded or unchanged; 1 refused, nothing written; 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import store
from errors import XasoError
from etl.load import LoadResult, load_file
from etl.period import parse_month
from i18n import env_language, format_number, translate
from store.observations import batch_history, rollback_batch
from store.users import system_user

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _parser(lang: str) -> argparse.ArgumentParser:
    t = lambda key: translate(key, lang)  # noqa: E731 - a short alias keeps the help table readable
    parser = argparse.ArgumentParser(prog="python -m etl", description=t("cli.description"))
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help=t("cli.load.help"))
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--db", help=t("cli.db.help"))
    load.add_argument("--period", help=t("cli.period.help"), metavar="YYYY-MM")
    load.add_argument("--sheet", help=t("cli.sheet.help"), metavar="NAME")
    load.add_argument("--skip-unmatched", action="store_true", help=t("cli.skip_unmatched.help"))
    load.add_argument("--accept-guesses", action="store_true", help=t("cli.accept_guesses.help"))
    load.add_argument("--profile", help=t("cli.profile.help"), metavar="NAME")
    load.add_argument("--dry-run", action="store_true", help=t("cli.dry_run.help"))
    load.add_argument("--json", action="store_true", help=t("cli.json.help"))
    history = commands.add_parser("history", help=t("cli.history.help"))
    history.add_argument("--db", help=t("cli.db.help"))
    history.add_argument("--json", action="store_true", help=t("cli.json.help"))
    rollback = commands.add_parser("rollback", help=t("cli.rollback.help"))
    rollback.add_argument("batch_id", type=int, metavar="BATCH_ID")
    rollback.add_argument("--db", help=t("cli.db.help"))
    demo = commands.add_parser("demo", help=t("cli.demo.help"))
    demo.add_argument("--db", help=t("cli.db.help"))
    demo.add_argument("--seed", type=int, default=766, help=t("cli.seed.help"))
    demo.add_argument("--out", type=Path, default=None, help=t("cli.out.help"))
    init = commands.add_parser("init", help=t("cli.init.help"))
    init.add_argument("--db", help=t("cli.db.help"))
    init.add_argument("--no-demo", action="store_true", help=t("cli.no_demo.help"))
    return parser


class _UsageError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    lang = env_language()
    parser = _parser(lang)
    args = parser.parse_args(argv)  # exits 2 on a usage error
    try:
        if args.command == "load":
            return _load(args, lang)
        if args.command == "history":
            return _history(args, lang)
        if args.command == "rollback":
            return _rollback(args, lang)
        if args.command in ("demo", "init"):
            from etl.demo_load import build_demo, ensure_database  # heavy imports only when needed

            if args.command == "demo":
                build_demo(args.db, seed=args.seed, out_dir=args.out, lang=lang, echo=_echo)
            else:
                ensure_database(args.db, with_demo=not args.no_demo, lang=lang, echo=_echo)
            return EXIT_OK
    except _UsageError as exc:
        parser.error(str(exc))
    except XasoError as exc:
        print(exc.message(lang), file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_USAGE


def _echo(text: str) -> None:
    print(text, flush=True)


def _load(args: argparse.Namespace, lang: str) -> int:
    try:
        period = parse_month(args.period) if args.period else None
    except ValueError:
        raise _UsageError(translate("cli.bad_period", lang, value=args.period)) from None
    mapping = None
    if args.profile:
        from store.reference import mapping_profile_named, mapping_profile_names

        with store.connect(args.db) as con:
            mapping = mapping_profile_named(con, args.profile)
            names = mapping_profile_names(con)
        if mapping is None:
            raise _UsageError(translate("cli.no_such_profile", lang, name=args.profile, names=", ".join(names) or "–"))
    status = EXIT_OK
    for path in args.files:
        if not path.is_file():
            raise _UsageError(translate("cli.no_such_file", lang, file=str(path)))
        result = load_file(path, db=args.db, period=period, sheet=args.sheet, skip_unmatched=args.skip_unmatched,
                           dry_run=args.dry_run, user=system_user(), lang=lang,
                           accept_guesses=args.accept_guesses, mapping=mapping)
        if result.status == "refused":
            status = EXIT_REFUSED
        if args.json:
            print(json.dumps(result.as_dict(lang), ensure_ascii=False, default=str))
        else:
            _print_result(result, lang)
    return status


def _print_result(result: LoadResult, lang: str) -> None:
    review = result.review
    params: dict[str, Any] = {"file": review.file, "batch": result.batch_id or "", "periods": ", ".join(review.periods),
                              "units": review.units, "indicators": len(review.indicators),
                              "rows": result.rows_loaded, "errors": len(review.errors)}
    if result.status == "unchanged" and review.already_loaded:
        params.update(review.already_loaded)
        print(translate("cli.result.already_loaded", lang, **params))
    else:
        print(translate(f"cli.result.{result.status.replace('-', '_')}", lang, **params))
    for item in review.skipped:
        print("  " + translate("cli.skipped_row", lang, sheet=item.sheet, row=str(item.row),
                               reason=translate(f"skip.{item.reason}", lang), text=item.text))
    for problem in review.errors + review.warnings:
        mark = "✗" if problem.severity == "error" else "!"
        print(f"  {mark} {problem.message(lang)}")


def _history(args: argparse.Namespace, lang: str) -> int:
    with store.connect(args.db) as con:
        frame = batch_history(con)
    if args.json:
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        return EXIT_OK
    if frame.empty:
        print(translate("cli.history.empty", lang))
    for row in frame.itertuples(index=False):
        print(translate("cli.history.row", lang, batch=str(row.batch_id), file=row.file_name, user=row.loaded_by,
                        at=f"{row.loaded_at:%Y-%m-%d %H:%M}", periods=", ".join(row.periods),
                        rows=format_number(row.rows_loaded, lang), status=translate(f"status.{row.status}", lang)))
    return EXIT_OK


def _rollback(args: argparse.Namespace, lang: str) -> int:
    with store.connect(args.db) as con, store.transaction(con):
        changed = rollback_batch(con, args.batch_id, system_user())
    print(translate("cli.rolled_back", lang, batch=str(args.batch_id), rows=changed))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
