"""Command line: `python pipeline.py <command> ...`.

Exit status: 0 done, 1 the job failed, 2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import sys

from servicetjek.errors import EXIT_BAD_INPUT, EXIT_OK, InputError


def _targets(args: argparse.Namespace) -> list[str]:
    from servicetjek.inputs.discover import known_municipalities, resolve

    if args.all:
        return list(known_municipalities())
    return [resolve(name) for name in args.kommune]


def cmd_prepare(args: argparse.Namespace) -> int:
    from servicetjek import declaration
    from servicetjek.inputs.prepare import check_report_inputs, report_to_validate, validate, write

    status = EXIT_OK
    report = declaration.report(args.rapport)
    for slug in _targets(args):
        problems, prepared = [], None
        try:
            prepared = validate(slug, report_to_validate(slug, report))
        except InputError as err:
            problems += err.problems
        try:
            check_report_inputs(slug, report)
        except InputError as err:
            problems += err.problems
        if problems:
            unique = list({str(p): p for p in problems}.values())   # both checks read the required files
            print(f"FEJL i input for {slug}:\n{InputError(unique).render()}", file=sys.stderr)
            status = max(status, EXIT_BAD_INPUT)
            continue
        target = write(prepared)    # nothing is written unless every input is good
        for note in prepared.notes:
            print(f"{slug}: BEMÆRK: {note}")
        for warning in prepared.warnings:       # possible but odd values; also in warnings.json
            print(f"{slug}: ADVARSEL: {warning}")
        print(f"{slug}: skrev {target}")
    return status


def cmd_editions(args: argparse.Namespace) -> int:
    from servicetjek.publish import editions

    for slug in _targets(args):
        if args.prune:
            removed = editions.prune(slug, args.keep, args.rapport)
            print(f"{slug}: slettede {len(removed)} udgaver" + (f" ({', '.join(removed)})" if removed else ""))
        for e in editions.list_editions(slug, args.rapport):
            print(f"{slug}\t{e.label}\t{e.built}")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from servicetjek.inputs.discover import resolve
    from servicetjek.publish import diff, editions

    slug = resolve(args.kommune)
    if args.udgaver and len(args.udgaver) != 2:
        print("FEJL: angiv to udgaver (A B) eller ingen (de to nyeste)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.udgaver:
        old, new = (editions.find(slug, label) for label in args.udgaver)
    else:
        old, new = editions.latest_two(slug, args.rapport)
    result = diff.compare(old, new)
    page = editions.editions_dir(slug) / f"diff_{old.label}_{new.label}.html"
    page.write_text(diff.render_html(result, new.manifest.get("kommune", slug)), encoding="utf-8")
    print(diff.render_text(result))
    print(f"HTML: {page}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from servicetjek.publish.build import FORMATS, build_many

    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        print(f"FEJL: ukendt format {', '.join(unknown) or '(tomt)'}; brug en kommasepareret liste af "
              f"{', '.join(FORMATS)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.jobs < 1:
        print("FEJL: --jobs skal være mindst 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    targets = _targets(args)
    results = build_many(targets, formats, force=args.force, jobs=args.jobs, progress=not args.quiet,
                         kind=args.rapport)
    status = EXIT_OK
    for res in results:
        if res.ok:
            if not args.quiet:
                what = ("uændret (intet input ændret)" if res.up_to_date else
                        f"kørte {len(res.executed)} kapitler, genbrugte {len(res.reused)}")
                edition = f" (udgave {res.edition})" if res.edition else ""
                print(f"{res.slug}: {what} på {res.seconds:.1f} s -> {res.report_dir}{edition}")
        else:
            print(res.message, file=sys.stderr)
            status = max(status, res.status)
    if len(targets) > 1:
        from servicetjek.publish import overview

        page = overview.write(args.rapport, targets)
        if page and not args.quiet:
            print(f"oversigt: {page}")
    return status


def cmd_overview(args: argparse.Namespace) -> int:
    from servicetjek.inputs.discover import known_municipalities
    from servicetjek.publish import overview

    page = overview.write(args.rapport, list(known_municipalities()))
    if page is None:
        print(f"FEJL: ingen byggede rapporter af typen '{args.rapport}' med status og benchmark", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"oversigt: {page}")
    return EXIT_OK


def cmd_chapters(args: argparse.Namespace) -> int:
    from servicetjek import declaration

    report = declaration.report(args.rapport)
    if args.notebooks:
        root = declaration.notebooks_root()
        for ch in report.notebooks():
            path = ch.notebook
            print(path.relative_to(root) if path.is_relative_to(root) else path)
        return EXIT_OK
    for ch in report.chapters:
        numbers = ""
        if ch.decl.tables:
            numbers += f" tabel {ch.table_numbers[0]}–{ch.table_numbers[-1]}"
        if ch.decl.figures:
            numbers += f" figur {ch.figure_numbers[0]}–{ch.figure_numbers[-1]}"
        print(f"{ch.number}\t{ch.decl.id}\t{ch.decl.kind}\t{ch.decl.source or '-'}\t{numbers.strip() or '-'}\t"
              f"{', '.join(ch.decl.inputs) or '-'}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from servicetjek.inputs.discover import known_municipalities

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
    prep.add_argument("--rapport", default="servicetjek", metavar="TYPE",
                      help="kontrollér også inputtet til denne rapporttype (f.eks. opfoelgning)")
    prep.set_defaults(func=cmd_prepare)
    bld = sub.add_parser(
        "build", help="byg rapporten (kapitler, HTML, PDF og Word) til reports/<slug>/",
        description="Bygger kommunens servicetjek: validerer input (prepare), kører hvert kapitel-notebook "
                    "(som report.yaml erklærer dem) med papermill og skriver de kørte notebooks, én HTML pr. kapitel, "
                    "hele rapporten som HTML, PDF og Word (DOCX) samt manifest.json til reports/<slug>/. Kun kapitler, hvis "
                    "input, notebook eller kode er ændret, køres igen; uden ændringer sker der intet. Der "
                    "bygges i en midlertidig mappe, som først skiftes ind til sidst.",
        epilog="Exit-status: 0 = gennemført, 1 = et kapitel fejlede (den delvist kørte notebook gemmes i "
               "reports/.failed/<slug>/), 2 = fejl i input. Ved flere kommuner bygges de øvrige færdige, "
               "selv om én fejler.")
    _add_selection(bld)
    bld.add_argument("--format", default="html,pdf,docx", metavar="FORMATER",
                     help="kommasepareret liste af formater: html, pdf, docx (Word) (standard: html,pdf,docx)")
    bld.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                     help="byg op til N kommuner samtidig i hver sin proces (standard: 1)")
    bld.add_argument("--force", action="store_true",
                     help="byg alt forfra, også kapitler hvis input ikke er ændret (ignorér cachen)")
    bld.add_argument("--quiet", "-q", action="store_true",
                     help="ingen fremdriftsvisning eller statuslinjer; kun fejl skrives (fremdrift vises "
                          "i øvrigt kun i en terminal)")
    bld.set_defaults(func=cmd_build)
    bld.add_argument("--rapport", default="servicetjek", metavar="TYPE",
                     help="rapporttypen i report.yaml (standard: servicetjek)")
    ovr = sub.add_parser("oversigt", help="skriv reports/<type>-oversigt.html over de byggede rapporter",
                         description="Rangerer alle kommuner med en bygget rapport af typen på nøgletallene "
                                     "(benchmark, andel på offentlig forsørgelse, udvikling) med links til "
                                     "rapporterne. `build` med flere kommuner skriver den selv.")
    ovr.add_argument("--rapport", default="offentlig", metavar="TYPE", help="rapporttypen (standard: offentlig)")
    ovr.set_defaults(func=cmd_overview)
    lst = sub.add_parser("list", help="vis kommunerne under data/raw/ (slug og navn)")
    lst.set_defaults(func=cmd_list)
    chp = sub.add_parser("chapters", help="vis rapportens kapitler, som report.yaml erklærer dem",
                         description="Viser kapitlerne i rækkefølge: nummer, id, type, kilde, tabel- og "
                                     "figurnumre og de rå input, de læser.")
    chp.add_argument("--rapport", default="servicetjek", metavar="TYPE", help="rapporttypen (standard: servicetjek)")
    chp.add_argument("--notebooks", action="store_true",
                     help="kun stierne til kapitlernes notebooks, én pr. linje (bruges af Makefile)")
    chp.set_defaults(func=cmd_chapters)
    edi = sub.add_parser("editions", help="vis (og beskær) de gemte udgaver under reports/<slug>/editions/",
                         description="Hver bygning af en rapport gemmes som en udgave. --prune --keep N sletter "
                                     "alle andre end de N nyeste af hver rapporttype.")
    _add_selection(edi)
    edi.add_argument("--rapport", default=None, metavar="TYPE", help="kun denne rapporttype")
    edi.add_argument("--prune", action="store_true", help="slet gamle udgaver")
    edi.add_argument("--keep", type=int, default=5, metavar="N", help="behold de N nyeste (standard: 5)")
    edi.set_defaults(func=cmd_editions)
    dif = sub.add_parser("diff", help="hvad er ændret mellem to udgaver: tabelceller, sætninger og inputfiler",
                         description="Sammenligner to udgaver (standard: de to nyeste af den senest byggede "
                                     "rapporttype) og skriver ændringerne i terminalen og som HTML under "
                                     "reports/<slug>/editions/.")
    dif.add_argument("--kommune", required=True, metavar="NAVN")
    dif.add_argument("--rapport", default=None, metavar="TYPE", help="rapporttypen (standard: den senest byggede)")
    dif.add_argument("udgaver", nargs="*", metavar="UDGAVE", help="to udgaver, f.eks. opfoelgning-001 opfoelgning-002")
    dif.set_defaults(func=cmd_diff)
    from servicetjek.inputs import scaffold
    scaffold.register(sub)
    from servicetjek.inputs import fetch
    fetch.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        print(f"FEJL i input:\n{err.render()}", file=sys.stderr)
        return EXIT_BAD_INPUT
