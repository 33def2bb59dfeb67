"""`new-kommune`: create data/raw/<slug>/ with every input file the chapters need.

Everything the taxonomy knows is filled in (headers, target-group and benefit-group
ids as rows, the comparison roles, a proposal template); everything only the
consultant or jobindsats knows is the literal placeholder `UDFYLD`, never a
plausible number. `prepare` refuses a folder while any `UDFYLD` is left and lists
every unfilled file at once. The folder is written into a temporary folder beside
the target and renamed into place, and an existing folder is never overwritten.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import tempfile
from pathlib import Path

from servicetjek import config
from servicetjek.config import NATIONAL_AREA
from servicetjek.errors import InputError, Problem

PLACEHOLDER = "UDFYLD"
U = PLACEHOLDER
PROVENANCE_HINT = f"{U} (published: <kilde>, <tabel> eller constructed: <hvordan>)"
CONFIG_NAME = "kommune.yaml"
SCENARIO_SLOTS = 3   # placeholder scenario years in kommune.yaml; budget.csv has a block of rows for each



def required_files(report=None) -> list[str]:
    """The files a municipality needs for the report (default: the main kind), from the declaration;
    extracts/ is filled by `pipeline.py fetch`."""
    from servicetjek import declaration

    report = report or declaration.report()
    return [f for f in report.required_inputs() if not f.startswith("extracts/")]


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _forecast_ids() -> list[str]:
    path = config.REFERENCE_DIR / "national_forecast.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(dict.fromkeys(row["forecast_id"] for row in csv.DictReader(fh) if row.get("forecast_id")))


def _report_block(public: bool) -> str:
    if public:      # the public-data report takes its title from report.yaml and names no consultant
        return "report:\n  title: Beskæftigelsesområdet i offentlige tal\n"
    return f"""\
report:
  title: Servicetjek af beskæftigelsesområdet
  subtitle: {U}
  consultant: {U}
  published: "{U}"            # udgivelsesåret, i anførselstegn
"""


def _kommune_yaml(name: str, public: bool = False) -> str:
    ids = ", ".join(_forecast_ids()) or "(ingen endnu)"
    return f"""\
# Kommunens indstillinger. Erstat hver pladsholder (se data/raw/README.md, "<kommune>/kommune.yaml").
name: {name}
area: {name}                  # området, som jobindsats staver det
{_report_block(public)}years:
  status: [{U}, {U}, {U}]     # statusårene (kapitel 3), stigende, mindst to
  longrun_start: {U}          # første år i den lange udvikling (Figur 1), senest det første statusår
  scenario: [{', '.join([U] * SCENARIO_SLOTS)}]   # scenarie- og katalogårene (kapitel 4 og 7), efter det seneste statusår
national_forecast: {U}        # et forecast_id fra data/raw/reference/national_forecast.csv: {ids}
allow_missing_months: false
provenance: "{PROVENANCE_HINT}"
"""


def _groups_yaml(name: str) -> str:
    return f"""\
# Sammenligningsgrupperne (ekskl. {name} selv). Medlemmerne staves som i jobindsats.
# Har kommunen et nært arbejdsmarked, så tilføj en gruppe med role: near_labour_market.
groups:
  - id: klynge
    role: klynge
    name: Klynge
    short_name: Klynge
    members: [{U}]            # klyngekommunerne, f.eks. [Kommune A, Kommune B]
    provenance: "{PROVENANCE_HINT}"
  # - id: naert
  #   role: near_labour_market
  #   name: <gruppens navn>
  #   short_name: <kort navn>
  #   members: [<kommune>, <kommune>]
  #   provenance: "<published: … eller constructed: …>"
  - id: landet
    role: national
    name: {NATIONAL_AREA}
    short_name: {NATIONAL_AREA}
    members: [{NATIONAL_AREA}]
    provenance: "{PROVENANCE_HINT}"
"""


def _proposals_yaml() -> str:
    return f"""\
# Forslagskataloget (kapitel 7). Felterne er beskrevet i data/raw/README.md, "<kommune>/proposals.yaml".
# Beløb i 1.000 kr. pr. år; en besparelse er negativ. Årene skal være kommune.yaml's years.scenario.
# Forslagene nummereres efter rækkefølgen; skriv intet nummer.
provenance: "{PROVENANCE_HINT}"
round_to: 100
unit: 1000kr
layout: years                 # oversigtstabellen: years (effekt pr. år) eller konto (konto 6/5, tidshorisont, risici, konsekvenser)
intro: |
  {U}: indledning til kataloget, f.eks. "Kataloget indeholder {{{{ count }}}} forslag."
headings:
  - id: forslag
    title: {U}
proposals:
  - id: forslag-1             # små bogstaver, tal og -
    title: {U}
    heading: forslag
    certainty: {U}            # Lav, Middel eller Høj
    difficulty: {U}           # Lav, Middel eller Høj
    horizon: {U}
    provenance: "{PROVENANCE_HINT}"
    lines:
      - label: {U}
        konto: 6              # 5 eller 6
        kind: investering     # investering (>= 0), besparelse (<= 0) eller merudgift (>= 0)
        amounts: {{{U}: {U}}}   # {{år: beløb i 1.000 kr, ...}}
      - label: {U}
        konto: 5
        kind: besparelse
        group: {U}            # ydelsesgruppe-id, f.eks. foertidspension; prisen fra benefit_costs.csv
        persons: {{{U}: {U}}}   # {{år: fuldtidspersoner, der forlader ydelsen (antal >= 0), ...}}; eller rate/trend
    sections:
      baggrund: |
        {U}
      beskrivelse: |
        {U}
"""


# The text chapters' starting point: paragraphs written by placeholders and phrase filters only, so a new
# municipality builds before the consultant writes a word, and every judgement in them follows its data. A
# paragraph is written only when the report publishes every value root it quotes (its first element).
STARTING_TEXTS = {
    "indledning": [
        ({"kommune", "catalogue"},
         "{{ kommune.name }} Kommune har fået gennemført et servicetjek af beskæftigelsesområdet. Servicetjekket "
         "belyser udviklingen i antallet af borgere på offentlig forsørgelse, scenarier for den fremtidige udvikling "
         "i forsørgelsesudgifterne og omkostningseffektiviteten i jobcentret, og det samler "
         '{{ catalogue.count | antal("forslag", "forslag") }} til at optimere effekterne af beskæftigelsesindsatsen.'),
    ],
    "vurdering": [
        ({"kommune", "status"},
         "I {{ status.years.last }} var der gennemsnitligt {{ status.last.i_alt }} fuldtidspersoner på offentlig "
         "forsørgelse i {{ kommune.name }} Kommune. Fra {{ status.years.first }} til {{ status.years.last }} er "
         'antallet {{ status.change.i_alt | retning("steget", "faldet") }}, mens det er '
         '{{ status.change_group.klynge.i_alt | retning("steget", "faldet") }} i klyngen. Andelen af befolkningen i '
         "den erhvervsaktive alder på offentlig forsørgelse er {{ status.share.kommune.i_alt | d1 }} pct. mod "
         "{{ status.share.klynge.i_alt | d1 }} pct. i klyngen."),
        ({"unit_costs"},
         "Kommunens enhedsomkostninger er {{ unit_costs.deviation.samlet | afvigelse }} gennemsnittet for de "
         "sammenlignede jobcentre; kommunen har {{ unit_costs.rank_words }} enhedsomkostninger af de "
         "{{ unit_costs.jobcentres }} jobcentre i sammenligningen."),
        ({"exit_rates"},
         "Afgangsraterne til job og uddannelse er højere end i klyngen for {{ exit_rates.groups.higher | liste }}, "
         "tæt på klyngens for {{ exit_rates.groups.close | liste }} og lavere end i klyngen for "
         "{{ exit_rates.groups.lower | liste }}."),
    ],
}


def _text(chapter, published: set[str]) -> str:
    """A text chapter's file: its starting text (when one is known for the chapter), else a sentence naming it."""
    paragraphs = [text for roots, text in STARTING_TEXTS.get(chapter.decl.id, []) if roots <= published]
    if not paragraphs:
        paragraphs = [f"{{{{ kommune.name }}}} Kommune: {chapter.decl.title}."]
    return ("<!-- provenance: skrevet af new-kommune: tekst fra data (pladsholdere og sætningsfiltre, se README, "
            "\"Words from data\"); erstat eller suppler den med konsulentens egen tekst -->\n"
            + "\n\n".join(paragraphs) + "\n")


def _slot(chapter, name: str) -> str:
    """An empty slot: only a comment, so the chapter shows its generated paragraphs until the consultant writes."""
    return (f"<!-- Pladsen '{name}' i kapitlet '{chapter.decl.id}' ({chapter.decl.title}). Tom (kun denne "
            "kommentar): rapporten viser den genererede tekst. Skriv Markdown her for at erstatte den, med "
            "pladsholdere og sætningsfiltre som i teksterne, f.eks. "
            '{{ status.change.i_alt | retning("steget", "faldet") }} (se README, "Words from data"). -->\n')


EXTRACTS_README = """\
# jobindsats-udtræk

Denne mappe fyldes af

    python pipeline.py fetch --kommune {name} --years <fra>-<til>

(nøglen til jobindsats' API læses fra miljøvariablen JOBINDSATS_API_KEY). Kommandoen gemmer
svarene uændret her og beskriver hver fil i PROVENANCE.yaml. Udtræk hentet i hånden fra
jobindsats.dk (CSV, JSON eller Excel) lægges her og beskrives i PROVENANCE.yaml med table,
format og provenance (se data/raw/README.md).
"""


def files_for(name: str, report=None) -> dict[str, str]:
    """relative path -> content of every file `new-kommune` writes: what the report's chapters read."""
    from servicetjek import declaration
    from servicetjek.inputs.owndata import ACTIVITIES, AREA_ROLES, UNIT_COST_LINES
    from servicetjek.inputs.taxonomy import load as load_taxonomy
    from servicetjek.publish.slots import slot_path

    tax = load_taxonomy()
    targets = [t.id for t in tax.target_groups]
    aggregates = [a.id for a in tax.target_group_aggregates]
    benefits = [g.id for g in tax.benefit_groups if not g.total]
    p = PROVENANCE_HINT
    report = report or declaration.report()
    templates = {
        "kommune.yaml": _kommune_yaml(name, public=not report.needs("budget.csv")),
        "comparison_groups.yaml": _groups_yaml(name),
        "extracts/README.md": EXTRACTS_README.format(name=name),
        "population.csv": _csv(["area", "year", "age_band", "persons", "provenance"],
                               [[name, U, "16-64", U, p], [U, U, "16-64", U, p]]),
        "resources.csv": _csv(["target_group", "activity", "konto", "financing", "expenses_1000kr", "provenance"],
                              [[t, a, U, "kommune", U, p] for t in targets for a in ACTIVITIES]),
        "resource_persons.csv": _csv(["target_group", "full_time_persons", "provenance"],
                                     [[t, U, p] for t in targets]),
        "unit_costs.csv": _csv(["jobcentre", "target_group", "unit_cost_1000kr", "provenance"],
                               [["Kommune 2", t, U, p] for t in [*targets, *UNIT_COST_LINES]]),
        "exit_rates.csv": _csv(["area_role", "target_group", "rate_pct", "provenance"],
                               [[r, t, U, p] for r in AREA_ROLES for t in [*targets, *aggregates]]),
        "budget.csv": _csv(["year", "benefit_group", "full_time_persons", "provenance"],
                           [[U, g, U, p] for _year in range(SCENARIO_SLOTS) for g in benefits]),
        "benefit_costs.csv": _csv(["benefit_group", "kr_per_full_time_person", "provenance"],
                                  [[g, U, p] for g in benefits]),
        "proposals.yaml": _proposals_yaml(),
    }
    published = set(report.published())
    for chapter in report.text_chapters():
        templates[chapter.decl.source] = _text(chapter, published)
    # the servicetjek's optional files and slots start filled; the public-data report's are the user's to add
    full = report.needs("budget.csv")
    slots = {slot_path(Path(), chapter.decl.id, name).as_posix(): _slot(chapter, name)
             for chapter in report.chapters for name in chapter.decl.slots if full}
    wanted = set(required_files(report)) | (set(report.optional_inputs()) if full else set())
    return {**{rel: text for rel, text in templates.items() if rel in wanted or rel.startswith("extracts/")}, **slots}


def _existing_problem(target: Path) -> InputError:
    return InputError(Problem(target, "mappen findes allerede; new-kommune overskriver aldrig en kommunes data "
                                      "(slet eller omdøb mappen selv, hvis du vil starte forfra)"))


PUBLIC_REPORT = "offentlig"   # the report kind `new-kommune --offentlige-data` scaffolds for


def new_kommune(name: str, report=None) -> Path:
    """Create data/raw/<slug>/ for `name`. InputError if the name is empty or the folder exists.

    The one exception: a folder that holds nothing but extracts/ (`pipeline.py fetch` run first) gets the
    other files beside its extracts, which are left untouched.
    """
    name = " ".join(str(name).split())
    slug = config.slugify(name)
    if not slug:
        raise InputError(Problem(config.RAW_DIR, "kommunens navn er tomt eller ugyldigt", value=name))
    target = config.municipality_dir(slug)
    fetched_first = target.is_dir() and [p.name for p in target.iterdir()] == ["extracts"]
    if target.exists() and not fetched_first:
        raise _existing_problem(target)
    files = files_for(name, report)
    if fetched_first:
        files = {rel: text for rel, text in files.items() if not rel.startswith("extracts/")}
    config.RAW_DIR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{slug}.new.", dir=config.RAW_DIR))
    try:
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o755)
        if fetched_first:
            # each entry is renamed into place (kommune.yaml last, so the folder counts as a
            # municipality only when complete); nothing there is replaced
            entries = sorted(tmp.iterdir(), key=lambda p: p.name == CONFIG_NAME)
            if any((target / e.name).exists() for e in entries):
                raise _existing_problem(target)
            for entry in entries:
                os.rename(entry, target / entry.name)
            tmp.rmdir()
        else:
            try:
                os.rename(tmp, target)    # fails if the folder appeared meanwhile (never overwrites)
            except OSError:
                raise _existing_problem(target) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def cmd_new_kommune(args: argparse.Namespace) -> int:
    from servicetjek import declaration

    report = declaration.report(PUBLIC_REPORT) if args.offentlige_data else None
    target = new_kommune(args.navn, report)
    kind = f" --rapport {PUBLIC_REPORT}" if report else ""
    rel = target.relative_to(config.PROJECT_DIR) if target.is_relative_to(config.PROJECT_DIR) else target
    print(f"oprettede {rel}/\n"
          f"Næste skridt:\n"
          f"  1. hent udtræk: python pipeline.py fetch --kommune {args.navn} --years <fra>-<til>\n"
          f"  2. erstat hvert {PLACEHOLDER} i filerne (se data/raw/README.md)\n"
          f"  3. python pipeline.py prepare --kommune {args.navn}{kind}   (gentag, til der ikke er flere fejl)\n"
          f"  4. python pipeline.py build --kommune {args.navn}{kind}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "new-kommune", help="opret data/raw/<slug>/ med skabeloner til en ny kommunes input",
        description=f"Opretter data/raw/<slug>/ med alle de filer, kapitlerne skal bruge: kommune.yaml, "
                    f"comparison_groups.yaml, extracts/, befolkning, ressourceopgørelse, enhedsomkostninger, "
                    f"afgangsrater, budget, nettoudgifter, forslagskatalog og teksterne til indledning og "
                    f"vurdering. Det, der kan udfyldes fra taksonomien, er udfyldt; alt andet står som "
                    f"{PLACEHOLDER}, og prepare afviser mappen, så længe der står {PLACEHOLDER} nogen steder. "
                    f"En eksisterende mappe overskrives aldrig.",
        epilog="Exit-status: 0 = oprettet, 2 = mappen findes allerede eller navnet er ugyldigt (intet skrevet).")
    parser.add_argument("navn", metavar="NAVN", help="kommunens navn, som jobindsats staver området")
    parser.add_argument("--offentlige-data", action="store_true",
                        help=f"kun det, rapporten '{PUBLIC_REPORT}' skal bruge (indstillinger, udtræk og "
                             f"befolkning; ingen egne tal)")
    parser.set_defaults(func=cmd_new_kommune)

