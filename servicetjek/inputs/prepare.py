"""`prepare`: validate a municipality's raw inputs and write tidy tables to data/processed/<slug>/.

Nothing is written unless every input is valid; the folder is swapped in whole,
so a failed or killed run leaves the previous output intact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa
from pydantic import Field

from servicetjek import config, declaration
from servicetjek.errors import InputError, Problem, ProblemCollector
from servicetjek.files import links_outside, locked, pause_point, sha256, swap_dir
from servicetjek.inputs import benchmark_extract, extracts, municipality, owndata, ranges
from servicetjek.inputs import catalogue as catalogue_mod
from servicetjek.inputs.labels import set_aside_note
from servicetjek.inputs.municipality import Municipality
from servicetjek.inputs.scaffold import PLACEHOLDER, required_files
from servicetjek.inputs.tables import read_csv_checked
from servicetjek.inputs.taxonomy import Taxonomy
from servicetjek.inputs.taxonomy import load as load_taxonomy
from servicetjek.inputs.texts import check_remote, control_problems
from servicetjek.validation import PROVENANCE_PATTERN, PROVENANCE_RULE, Provenance, Strict, load_yaml_model

PROVENANCE_FILE = "PROVENANCE.yaml"
POPULATION_FILE = "population.csv"
# Sums of rounded jobindsats figures differ a little from the printed total.
TOTAL_TOLERANCE = 1.0


class ExtractFile(Strict):
    file: str
    table: str
    format: Literal["v2-csv", "v3-csv", "v3-json", "xlsx"]
    areas: list[str] | str | None = None
    periods: str | None = None
    provenance: Provenance
    agrees_with: list[str] = Field(default_factory=list)
    # Written by `pipeline.py fetch`: the API request (method, url, params; never the key)
    # and the retrieval time (UTC, ISO 8601).
    request: dict[str, object] | None = None
    retrieved: str | None = None


class ExtractManifest(Strict):
    files: list[ExtractFile] = Field(min_length=1)


POPULATION_SCHEMA = pa.DataFrameSchema(
    {
        "area": pa.Column(str, pa.Check.str_length(min_value=1)),
        "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "age_band": pa.Column(str, pa.Check.isin(["16-64", "16-66"])),
        "persons": pa.Column(int, pa.Check.gt(0)),
        "provenance": pa.Column(str, pa.Check.str_matches(PROVENANCE_PATTERN, error=PROVENANCE_RULE)),
    },
    unique=["area", "year", "age_band"],
    strict=True,
)


@dataclass
class Prepared:
    """Everything `prepare` validated, in memory; `write` puts it on disk."""

    municipality: Municipality
    tidy: pd.DataFrame
    annual: pd.DataFrame
    population: pd.DataFrame
    own: dict[str, pd.DataFrame]
    catalogue: object
    provenance: pd.DataFrame
    inputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # e.g. the labels set aside while reading extracts
    warnings: list[Problem] = field(default_factory=list)   # possible but odd values (ranges.py)

    @property
    def constructed_inputs(self) -> bool:
        return bool((self.provenance["kind"] == "constructed").any())


FETCH_HINT = "hent dem med `python pipeline.py fetch --kommune <navn> --years <fra>-<til>`"


def _read_manifest(folder: Path) -> tuple[ExtractManifest | None, list[Path]]:
    if not folder.is_dir():
        raise InputError(Problem(folder, f"mappen med jobindsats-udtræk mangler; {FETCH_HINT}"))
    if not (folder / PROVENANCE_FILE).exists() and not any(p.suffix.lower() in extracts.SUFFIXES
                                                           for p in folder.iterdir()):
        raise InputError(Problem(folder, f"ingen jobindsats-udtræk endnu; {FETCH_HINT}"))
    manifest = load_yaml_model(folder / PROVENANCE_FILE, ExtractManifest)
    on_disk = sorted(p for p in folder.iterdir() if p.suffix.lower() in extracts.SUFFIXES)
    listed = {f.file for f in manifest.files}
    problems = [Problem(folder / PROVENANCE_FILE, "udtrækket er ikke beskrevet (provenance mangler)", value=p.name)
                for p in on_disk if p.name not in listed]
    problems += [Problem(folder / f, "filen mangler (nævnt i PROVENANCE.yaml)") for f in sorted(listed)
                 if not (folder / f).is_file()]
    if problems:
        raise InputError(problems)
    return manifest, [folder / f.file for f in manifest.files]


def _coverage_problems(mun: Municipality, annual: pd.DataFrame, population: pd.DataFrame,
                       taxonomy: Taxonomy) -> list[Problem]:
    """The chapters need every group, for every area and year they show."""
    years = mun.config.years
    near = mun.groups.by_role("near_labour_market")
    long_areas = {mun.config.area, *(near.members if near else [])}
    fte = annual[annual["measure"] == "fuldtidspersoner"]
    have = set(zip(fte["area"], fte["year"], fte["benefit_group"], fte["sub_group"]))
    pop = set(zip(population["area"], population["year"]))
    split = {g.id: [s.id for s in g.sub_groups if s.id != "oevrige"] for g in taxonomy.benefit_groups if g.sub_groups}
    problems = []
    for area in mun.areas:
        area_years = years.extract_years if area in long_areas else years.status
        missing = [f"{y} {g}" for y in area_years for g in taxonomy.group_ids if (area, y, g, "") not in have]
        missing += [f"{y} {g}/{s}" for y in years.status for g, subs in split.items() for s in subs
                    if (area, y, g, s) not in have]
        if missing:
            shown = ", ".join(missing[:8]) + (f" … ({len(missing)} i alt)" if len(missing) > 8 else "")
            problems.append(Problem(mun.extracts_dir, f"mangler fuldtidspersoner for {area}: {shown}"))
        lacking = [str(y) for y in years.status if (area, y) not in pop]
        if lacking:
            problems.append(Problem(mun.folder / POPULATION_FILE,
                                    f"mangler befolkning 16-64 år for {area} i {', '.join(lacking)}"))
    return problems


def _total_problems(annual: pd.DataFrame) -> list[Problem]:
    """'I alt' must be the sum of the groups (the extracts agree with themselves)."""
    whole = annual[(annual["sub_group"] == "") & (annual["measure"] == "fuldtidspersoner")]
    totals = whole[whole["benefit_group"] == "i_alt"].set_index(["area", "year"])["value"]
    parts = whole[whole["benefit_group"] != "i_alt"].groupby(["area", "year"])["value"].sum()
    both = pd.concat({"total": totals, "parts": parts}, axis=1).dropna()
    bad = both[(both["total"] - both["parts"]).abs() > TOTAL_TOLERANCE]
    files = whole[whole["benefit_group"] == "i_alt"].set_index(["area", "year"])["source_file"]
    return [Problem(files.get((area, year), "udtræk"),
                    f"'I alt' for {area} {year} er {row.total:.1f}, men ydelsesgrupperne summer til {row.parts:.1f}",
                    column="Antal fuldtidspersoner")
            for (area, year), row in bad.iterrows()]


def _population_problems(mun: Municipality, tidy: pd.DataFrame, population: pd.DataFrame,
                         own: dict[str, pd.DataFrame], taxonomy: Taxonomy) -> list[Problem]:
    """A count above the area's population is impossible (a broken file, a misplaced comma)."""
    pop = population.groupby(["area", "year"])["persons"].max()
    labels = {m.id: m.labels[0] for m in taxonomy.measures}
    counts = tidy[tidy["measure"].isin(taxonomy.count_measures)]
    keys = pd.MultiIndex.from_arrays([counts["area"], counts["year"]])
    limit = pd.Series(pop.reindex(keys).to_numpy(), index=counts.index)
    bad = counts[limit.notna() & (counts["value"] > limit)]
    problems = [Problem(mun.extracts_dir / r.source_file, f"antallet er større end befolkningen 16-64 år i {r.area} "
                        f"{r.year} ({limit[i]:.0f})", row=int(r.row), column=labels.get(r.measure, r.measure),
                        value=r.value)
                for i, r in bad.iterrows()]
    own_pop = population[population["area"] == mun.config.area]["persons"]
    if own_pop.empty:
        return problems
    ceiling = float(own_pop.max())
    for name in ("budget", "resource_persons"):
        frame = own.get(name)
        if frame is None or "full_time_persons" not in frame:
            continue
        for index, value in frame["full_time_persons"].items():
            if value > ceiling:
                problems.append(Problem(mun.folder / f"{name}.csv", "antallet er større end kommunens befolkning "
                                        f"16-64 år ({ceiling:.0f})", row=int(index) + 2, column="full_time_persons",
                                        value=value))
    return problems


def forecast_problems(mun: Municipality, forecast: pd.DataFrame) -> list[Problem]:
    """The national forecast named in kommune.yaml must hold a change into every scenario year."""
    fid = mun.config.national_forecast
    path = config.REFERENCE_DIR / owndata.FORECAST_FILE
    rows = forecast[forecast["forecast_id"] == fid]
    if rows.empty:
        known = ", ".join(dict.fromkeys(forecast["forecast_id"])) or "(ingen)"
        return [Problem(path, f"prognosen '{fid}' (national_forecast i kommune.yaml) findes ikke; kendte: {known}")]
    covered = set(rows["to_year"].astype(int))
    missing = [y for y in mun.config.years.scenario if y not in covered]
    if not missing:
        return []
    span = f"{min(covered)}-{max(covered)}" if covered else "ingen år"
    return [Problem(path, f"den nationale prognose '{fid}' dækker ikke scenarieårene: mangler ændringen ind i "
                          f"{', '.join(map(str, missing))} (prognosen dækker {span}; scenarieår i kommune.yaml: "
                          f"{', '.join(map(str, mun.config.years.scenario))}). Tilføj årene i "
                          f"reference/{owndata.FORECAST_FILE} eller vælg en anden prognose",
                    column="to_year", value=fid)]


def _provenance_table(mun: Municipality, manifest: ExtractManifest, population: pd.DataFrame,
                      own: dict[str, pd.DataFrame], catalogue: object) -> pd.DataFrame:
    # agrees_with: the published figures a constructed extract reproduces (the report leaves those unmarked)
    # (areas: an extract's areas, so a table can name the extracts it rests on)
    rows = [(f"extracts/{f.file}", "", f.provenance, " | ".join(f.agrees_with), " | ".join(f.areas))
            for f in manifest.files]
    rows += [("kommune.yaml", "", mun.config.provenance, "", "")]
    rows += [("comparison_groups.yaml", g.id, g.provenance, "", "") for g in mun.groups.groups]
    for name, frame in {POPULATION_FILE: population, **own}.items():
        if "provenance" in frame.columns:
            for text in frame["provenance"].drop_duplicates():
                rows.append((name if name.endswith(".csv") else f"{name}.csv", "", text, "", ""))
    for item, text in getattr(catalogue, "provenance_items", lambda: [])():
        rows.append(("proposals.yaml", item, text, "", ""))
    table = pd.DataFrame(rows, columns=["file", "item", "provenance", "agrees_with", "areas"])
    table["kind"] = table["provenance"].str.split(":").str[0].str.strip()
    return table[["file", "item", "kind", "provenance", "agrees_with", "areas"]]


def _unfilled_problems(folder: Path, report) -> list[Problem]:
    """Every required file that is missing or still holds the `new-kommune` placeholder, one problem each."""
    problems = []
    for rel in required_files(report):
        path = folder / rel
        if any(ch in rel for ch in "*?[") and any(p.is_file() for p in folder.glob(rel)):
            continue
        if not path.is_file():
            problems.append(Problem(path, "filen mangler (`pipeline.py new-kommune` opretter en skabelon)"))
            continue
        lines = [i for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
                 if PLACEHOLDER in line]
        if lines:
            shown = ", ".join(map(str, lines[:6])) + (f" … ({len(lines)} linjer i alt)" if len(lines) > 6 else "")
            problems.append(Problem(path, f"ikke udfyldt: {PLACEHOLDER} står i linje {shown}"))
    return problems


def _link_problems(folder: Path) -> list[Problem]:
    """A symbolic link out of data/ would publish (and list as an input) a file from anywhere."""
    return [Problem(link, "symbolsk link til en fil uden for data/; kopiér filen ind i stedet", value=str(target))
            for root in (folder, config.REFERENCE_DIR) for link, target in links_outside(root, config.DATA_DIR)]


def validate(name: str, report=None) -> Prepared:
    """Read and validate every input of one municipality that the report declares (default: the main
    report kind). Raises InputError with all problems.

    A folder that still holds `new-kommune` placeholders is refused with one problem per unfilled or
    missing file, before the contents are checked (which would repeat every placeholder)."""
    report = report or declaration.report()
    folder = config.municipality_dir(municipality.resolve(name))
    unfilled = _unfilled_problems(folder, report)
    if any(PLACEHOLDER in p.message for p in unfilled):
        collector = ProblemCollector()
        collector.run(_read_manifest, folder / "extracts")
        raise InputError(unfilled + collector.problems)
    problems = ProblemCollector()
    # reported with everything else, whatever else fails
    remote = check_remote(folder, report) + control_problems(folder, report) + _link_problems(folder)

    def missing_files() -> list[Problem]:
        """Missing required files that no reader has reported (e.g. the texts)."""
        named = {Path(p.file) for p in problems.problems}
        return [p for p in unfilled if Path(p.file) not in named]

    mun = problems.run(municipality.load, name)
    if mun is None:   # check the files that do not need kommune.yaml, then report everything together
        problems.run(_read_manifest, folder / "extracts")
        problems.run(read_csv_checked, folder / POPULATION_FILE, POPULATION_SCHEMA)
        problems.run(owndata.load_all, folder, None, report)
        problems.problems += missing_files() + remote
        problems.raise_if_any()
    taxonomy = load_taxonomy()

    manifest_and_paths = problems.run(_read_manifest, mun.extracts_dir)
    tidy = annual = bench = None
    warnings: list[Problem] = []
    if manifest_and_paths:
        manifest, paths = manifest_and_paths
        volume = [p for p in paths if not benchmark_extract.is_benchmark(p, taxonomy)]
        tidy = problems.run(extracts.read_extracts, volume, taxonomy, [*mun.areas, config.NATIONAL_AREA])
        if tidy is not None:
            annual = problems.run(extracts.annualise, tidy, mun.config.allow_missing_months)
        bench = problems.run(benchmark_extract.read_benchmarks, [p for p in paths if p not in volume], taxonomy)
        if bench is not None and any("benchmark" in c.decl.publishes for c in report.chapters):
            problems.problems += benchmark_extract.coverage_problems(bench, mun.config.area, mun.extracts_dir)
    population = problems.run(read_csv_checked, mun.folder / POPULATION_FILE, POPULATION_SCHEMA)

    loaded = problems.run(owndata.load_all, mun.folder, None, report)
    own = loaded or {}
    if bench is not None and not bench.empty:
        own["benchmark"] = bench.drop(columns=["row"])
    catalogue = None
    # own figures failed (loaded None): the catalogue is still checked, on its own, so both are reported
    if ("benefit_costs" in own or loaded is None) and report.needs("proposals.yaml"):
        catalogue = problems.run(catalogue_mod.load_catalogue, mun.folder / "proposals.yaml",
                                 own.get("benefit_costs"), mun.config.years.scenario, own.get("budget"))
    if "national_forecast" in own and any("scenario" in c.decl.publishes for c in report.chapters):
        problems.problems += forecast_problems(mun, own["national_forecast"])
    if annual is not None and population is not None:
        for problem in _coverage_problems(mun, annual, population, taxonomy) + _total_problems(annual):
            problems.problems.append(problem)
        problems.problems += _population_problems(mun, tidy, population, own, taxonomy)
        errors, warnings = ranges.budget_problems(mun, annual, own)
        problems.problems += errors
        warnings += ranges.odd_value_warnings(mun, tidy, population, taxonomy)
    problems.problems += missing_files() + remote
    problems.raise_if_any()

    provenance = _provenance_table(mun, manifest_and_paths[0], population, own, catalogue)
    inputs = sorted(p for p in mun.folder.rglob("*") if p.is_file()) + [config.TAXONOMY_FILE]
    prepared = Prepared(mun, tidy, annual, population, own, catalogue, provenance, inputs,
                        notes=_notes(tidy, bench), warnings=warnings)
    problems.problems += _text_problems(prepared, report)
    problems.raise_if_any()
    return prepared


def _notes(tidy: pd.DataFrame, bench: pd.DataFrame | None) -> list[str]:
    """ONE note naming every label set aside in any extract."""
    aside = list(tidy.attrs.get("set_aside", []))
    if bench is not None:
        aside += bench.attrs.get("set_aside", [])
    return [set_aside_note(aside)] if aside else []


def _text_problems(prepared: Prepared, report) -> list[Problem]:
    """Every placeholder in the consultant's texts and the catalogue is a value the report publishes."""
    from servicetjek.chapters.values import published_values
    from servicetjek.inputs.loader import Inputs
    from servicetjek.inputs.texts import check_texts
    from servicetjek.publish.slots import slot_files

    folder = prepared.municipality.folder
    if (not report.text_chapters() and prepared.catalogue is None
            and not any(slot_files(folder, c.decl.id) for c in report.chapters)):
        return []       # no text to check (a public-data report): the values are not worth computing
    inp = Inputs.from_prepared(prepared)
    values = published_values(inp, report)
    return check_texts(folder, report, values, prepared.catalogue)


def write(prepared: Prepared) -> Path:
    """Write into a temporary folder beside the target, then swap it in; one prepare of a municipality at a
    time (two interleaved swaps collided), and what a killed run left beside the target is removed."""
    pause_point("prepare:validated")
    slug = prepared.municipality.slug
    target = config.processed_dir(slug)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(slug):
        _remove_stale(slug)
        pause_point("prepare:locked")
        return _write_locked(prepared, target)


def _lock(slug: str):
    return locked(config.DATA_DIR / ".locks" / f"prepare-{slug}.lock")


def _remove_stale(slug: str) -> None:
    """What a killed prepare left beside data/processed/<slug> (call holding the lock: nobody else is
    writing them)."""
    for stale in config.processed_dir(slug).parent.glob(f".{slug}.*"):
        shutil.rmtree(stale, ignore_errors=True)


def clean_stale(slug: str) -> None:
    """For a build that finds the prepared data fresh: a prepare killed after its swap left the old
    folder, and no prepare will run to remove it."""
    if any(config.processed_dir(slug).parent.glob(f".{slug}.*")):
        with _lock(slug):
            _remove_stale(slug)


def _write_locked(prepared: Prepared, target: Path) -> Path:
    slug = prepared.municipality.slug
    tmp = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=target.parent))
    try:
        prepared.tidy.drop(columns=["row"]).to_csv(tmp / "extracts.csv", index=False)
        prepared.annual.to_csv(tmp / "annual.csv", index=False)
        prepared.population.to_csv(tmp / "population.csv", index=False)
        for name, frame in prepared.own.items():
            frame.to_csv(tmp / f"{name}.csv", index=False)
        prepared.provenance.to_csv(tmp / "provenance.csv", index=False)
        warnings = ranges.as_records(prepared.warnings, config.DATA_DIR)
        (tmp / "warnings.json").write_text(json.dumps(warnings, ensure_ascii=False, indent=1), encoding="utf-8")
        meta = {
            "kommune": prepared.municipality.name,
            "slug": slug,
            "config": prepared.municipality.config.model_dump(mode="json"),
            "comparison_groups": prepared.municipality.groups.model_dump(mode="json"),
            "constructed_inputs": prepared.constructed_inputs,
            "notes": prepared.notes,
            "warnings": [w["text"] for w in warnings],
            "inputs": {str(p.relative_to(config.DATA_DIR)) if p.is_relative_to(config.DATA_DIR) else str(p): sha256(p)
                       for p in prepared.inputs},
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.chmod(tmp, 0o755)
        pause_point("prepare:written")
        swap_dir(tmp, target)
        pause_point("prepare:swapped")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def check_report_inputs(name: str, report) -> None:
    """The inputs a further report kind needs beyond the prepared ones (`prepare` checks the main kind's):
    every missing file at once, then the follow-up inputs' contents. InputError names every problem."""
    from servicetjek.inputs import followup

    if report.kind == declaration.DEFAULT_REPORT:
        return
    slug = municipality.resolve(name)
    folder = config.municipality_dir(slug)
    problems = _unfilled_problems(folder, report)
    if report.needs(followup.GOALS_FILE):      # the follow-up's own inputs: its own message (no template)
        own = {str(folder / rel) for rel in followup.INPUTS}
        problems = [p for p in problems if str(p.file) not in own] + followup.missing_inputs(folder)
    if not problems and report.needs(followup.GOALS_FILE):
        from servicetjek.inputs.taxonomy import load as load_taxonomy

        try:
            followup.load(slug, set(load_taxonomy().group_ids) - {"i_alt"})
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)


def report_to_validate(name: str, report=None):
    """The report kind `prepare` validates against: the main kind whenever the municipality's folder holds
    every file it needs (so the prepared tables are the same whichever kind is built); else the kind being
    built (a public-data municipality has only its extracts, population and settings)."""
    main = declaration.report()
    if report is None or report.kind == main.kind:
        return main
    folder = config.municipality_dir(municipality.resolve(name))
    return main if not _unfilled_problems(folder, main) else report


def prepare(name: str, notes: list[str] | None = None, report=None) -> Path:
    """Validate and write; the notes (labels set aside …) are appended to `notes` when given. `report`: the
    kind being built (see report_to_validate)."""
    prepared = validate(name, report_to_validate(name, report))
    if notes is not None:
        notes += prepared.notes
    return write(prepared)
