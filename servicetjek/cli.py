"""Command line: `python pipeline.py <command> ...`.

Exit status: 0 done, 1 the job failed, 2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import sys

from .errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _targets(args: argparse.Namespace) -> list[str]:
    from .municipality import known_municipalities, resolve

    if args.all:
        return list(known_municipalities())
    return [resolve(name) for name in args.kommune]


def cmd_prepare(args: argparse.Namespace) -> int:
    from .prepare import prepare

    status = EXIT_OK
    for slug in _targets(args):
        try:
            target = prepare(slug)
        except InputError as err:
            print(f"FEJL i input for {slug}:\n{err.render()}", file=sys.stderr)
            status = max(status, EXIT_BAD_INPUT)
            continue
        print(f"{slug}: skrev {target}")
    return status


def cmd_list(args: argparse.Namespace) -> int:
    from .municipality import known_municipalities

    for slug, name in known_municipalities().items():
        print(f"{slug}\t{name}")
    return EXIT_OK


def _add_selection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--kommune", action="append", metavar="NAVN",
                       help="kommunens navn eller slug, f.eks. Slagelse eller naestved (kan gentages)")
    group.add_argument("--all", action="store_true", help="alle kommuner under data/raw/")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipeline.py",
        description="Servicetjek: byg en kommunes servicetjek af beskæftigelsesområdet ud fra data.",
        epilog="Exit-status: 0 = gennemført, 1 = kørslen fejlede, 2 = fejl i input (intet skrevet).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="KOMMANDO")
    prep = sub.add_parser("prepare", help="valider rådata og skriv ryddede tabeller til data/processed/<slug>/",
                          description="Validerer kommunens rådata (jobindsats-udtræk og egne tal) og skriver "
                                      "ryddede tabeller til data/processed/<slug>/. Ved fejl skrives intet.")
    _add_selection(prep)
    prep.set_defaults(func=cmd_prepare)
    lst = sub.add_parser("list", help="vis kommunerne under data/raw/ (slug og navn)")
    lst.set_defaults(func=cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        print(f"FEJL i input:\n{err.render()}", file=sys.stderr)
        return EXIT_BAD_INPUT
