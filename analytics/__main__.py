"""Command line for the read side: python -m analytics rank|deck ... Its --help is the documentation.

Names and codes from the database are printed through textsafe.visible: control characters show as text.
Exit codes: 0 ranked / deck written; 1 unknown indicator, province, peer group or unit, or nothing
reported for the period; 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

import store
from analytics.ranking import PEER_GROUPS, rank
from errors import XasoError
from i18n import LANGUAGES, env_language, format_number, translate
from textsafe import visible

EXIT_OK, EXIT_REFUSED = 0, 1


def _parser(lang: str) -> argparse.ArgumentParser:
    t = lambda key: translate(key, lang)  # noqa: E731 - a short alias keeps the help table readable
    parser = argparse.ArgumentParser(prog="python -m analytics", description=t("acli.description"))
    commands = parser.add_subparsers(dest="command", required=True)
    ranking = commands.add_parser("rank", help=t("acli.rank.help"))
    ranking.add_argument("--indicator", required=True, metavar="CODE", help=t("acli.indicator.help"))
    ranking.add_argument("--period", required=True, metavar="YYYY-MM", help=t("acli.period.help"))
    ranking.add_argument("--province", metavar="CODE", help=t("acli.province.help"))
    ranking.add_argument("--peer-group", choices=PEER_GROUPS, help=t("acli.peer_group.help"))
    ranking.add_argument("--db", help=t("cli.db.help"))
    ranking.add_argument("--format", choices=("table", "csv", "json"), default="table", help=t("acli.format.help"))
    deck = commands.add_parser("deck", help=t("deck.cli.help"))
    deck.add_argument("--unit", required=True, metavar="CODE", help=t("deck.cli.unit.help"))
    deck.add_argument("--period", required=True, metavar="YYYY-MM", help=t("deck.cli.period.help"))
    deck.add_argument("--lang", choices=LANGUAGES, default=lang, help=t("deck.cli.lang.help"))
    deck.add_argument("--out", required=True, metavar="FILE.pptx", help=t("deck.cli.out.help"))
    deck.add_argument("--db", help=t("cli.db.help"))
    return parser


def main(argv: list[str] | None = None) -> int:
    lang = env_language()
    args = _parser(lang).parse_args(argv)
    if args.command == "deck":
        return _deck(args, lang)
    try:
        with store.connect(args.db) as con:
            result = rank(con, args.indicator, args.period, province=args.province, peer_group=args.peer_group)
    except XasoError as exc:
        return _refuse(exc.message(lang))
    if result.table.empty:
        return _refuse(translate("acli.empty_period", lang, indicator=args.indicator, period=result.period))
    rows = _rows(result.table, result.not_reported, lang)
    decimals = result.decimals
    if args.format == "json":  # JSON escapes C0 controls itself; visible adds the others as \u escapes
        _say(json.dumps(rows, ensure_ascii=False))
    elif args.format == "csv":
        _say(pd.DataFrame([{k: visible(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows])
             .to_csv(index=False).rstrip("\n"))
    else:
        for row in rows:
            shown = "–" if row["value"] is None else format_number(row["value"], lang, decimals)
            change = "" if row["change"] is None else f"{row['change']:+d}"
            label = f"{row['rank']}/{row['rank_of']}" if row["rank"] is not None else \
                translate("acli.not_reported", lang)
            _say(f"{label:>12}  {visible(row['unit_code'])}  {visible(row['unit_name']):<32} {shown:>10} {change:>5}"
                 f"{'  ⚠' if row['caution'] else ''}")
    return EXIT_OK


def _deck(args: argparse.Namespace, lang: str) -> int:
    """Write the meeting deck; messages in the terminal's language, the slides in --lang."""
    from analytics.deck import deck_bytes  # python-pptx is only needed here
    from analytics.meeting import meeting_content

    try:
        with store.connect(args.db) as con:
            pack = meeting_content(con, args.unit.strip(), args.period.strip(), args.lang)
    except XasoError as exc:
        return _refuse(exc.message(lang))
    Path(args.out).write_bytes(deck_bytes(pack))
    _say(translate("deck.cli.written", lang, file=visible(args.out), slides=len(pack.slides),
                   unit=visible(pack.unit_name)))
    return EXIT_OK


def _say(text: str) -> None:
    """Print our own text of one or more lines; data in it was escaped already, this is the safety net."""
    print(visible(text, keep_lines=True))


def _refuse(message: str) -> int:
    print(visible(message), file=sys.stderr)
    return EXIT_REFUSED


def _rows(table: pd.DataFrame, not_reported: pd.DataFrame, lang: str) -> list[dict]:
    """The stable JSON shape: ranked units first, then those that did not report (rank null)."""
    name = "name_en" if lang == "en" else "name_vi"
    ranked = [{"unit_code": r["unit_code"], "unit_name": r[name], "value": float(r["shown_value"]),
               "rank": int(r["rank"]), "rank_of": int(r["rank_of"]),
               "previous_rank": None if pd.isna(r["previous_rank"]) else int(r["previous_rank"]),
               "change": None if pd.isna(r["previous_change"]) else int(r["previous_change"]),
               "caution": bool(r["caution"])} for r in table.to_dict("records")]
    silent = [{"unit_code": r["unit_code"], "unit_name": r[name], "value": None, "rank": None,
               "rank_of": len(ranked), "previous_rank": None, "change": None, "caution": False}
              for r in not_reported.to_dict("records")]
    return ranked + silent


if __name__ == "__main__":
    sys.exit(main())
