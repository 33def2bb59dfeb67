"""A corpus of bad inputs, generated across every file type: each ends in exit 2 with the file (and,
where there is one, the column and value) named, no traceback, nothing written to data/processed, and
the raw data unchanged.

The cases run `pipeline.py prepare` in-process (`cli.main`) against a private copy of data/ (the config
paths pointed at it), so the corpus stays fast; `test_corpus_sample_through_the_cli` runs a sample as
real subprocesses. A case that raises anything but a handled InputError fails: `main` would let it out.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import DataCopy, tree_digest


# ------------------------------------------------------------------ the corpus
@dataclass(frozen=True)
class Case:
    id: str
    slug: str
    rel: str                                    # the file broken, relative to data/raw
    mutate: Callable[[Path], None]              # breaks the file in place
    expected: tuple[str, ...] = ()              # besides the file name: column, value, words

    def __str__(self) -> str:
        return self.id


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _latin1(path: Path) -> None:
    text = _text(path)
    lines = text.split("\n")
    lines[1] = lines[1] + "ø" if path.suffix != ".csv" else lines[1].replace(",", ",Ø", 1) if "," in lines[1] \
        else lines[1] + "Ø"
    path.write_bytes("\n".join(lines).encode("latin-1", errors="replace"))


def _header_only(path: Path) -> None:
    _write(path, _text(path).split("\n")[0] + "\n")


def _nul(path: Path) -> None:
    lines = _text(path).split("\n")
    lines[1] = lines[1][:3] + "\x00" + lines[1][3:]
    _write(path, "\n".join(lines))


GARBAGE = bytes(range(256)) * 4

# --- own-figure CSVs (comma-separated, header row): file -> (slug, a numeric column)
OWN_CSV = {
    "population.csv": ("naestved", "persons"),
    "benefit_costs.csv": ("slagelse", "kr_per_full_time_person"),
    "budget.csv": ("naestved", "full_time_persons"),
    "exit_rates.csv": ("slagelse", "rate_pct"),
    "resources.csv": ("slagelse", "expenses_1000kr"),
    "resource_persons.csv": ("naestved", "full_time_persons"),
    "unit_costs.csv": ("slagelse", "unit_cost_1000kr"),
    "resource_comparison.csv": ("slagelse", "share_pct"),
}
BAD_NUMBERS = ["inf", "-inf", "Infinity", "NaN", "1e999", "9" * 401, "1,5,5", "0x10", "12 000", "½"]


def _set_csv_cell(column: str, value: str, line: int = 2) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        import csv

        rows = list(csv.reader(io.StringIO(_text(path))))
        rows[line - 1][rows[0].index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        _write(path, out.getvalue())
    return mutate


def _byte_cases(prefix: str, slug: str, rel: str, text_format: bool = True) -> list[Case]:
    cases = [Case(f"{prefix}-empty", slug, rel, _bytes(b"")),
             Case(f"{prefix}-garbage", slug, rel, _bytes(GARBAGE)),
             Case(f"{prefix}-truncated", slug, rel, _truncate)]
    if text_format:
        cases += [Case(f"{prefix}-latin1", slug, rel, _latin1),
                  Case(f"{prefix}-header-only", slug, rel, _header_only)]
    return cases


def _own_csv_cases() -> list[Case]:
    cases = []
    for name, (slug, column) in OWN_CSV.items():
        stem = name.removesuffix(".csv")
        rel = f"{slug}/{name}"
        cases += [c for c in _byte_cases(stem, slug, rel) if not c.id.endswith("truncated")]
        cases.append(Case(f"{stem}-nul", slug, rel, _nul))
        cases.append(Case(f"{stem}-extra-field", slug, rel,
                          lambda p: _write(p, _text(p).replace("\n", "\n,x,y,z,w,v,u,t\n", 1))))
        for number in BAD_NUMBERS:
            cases.append(Case(f"{stem}-{number[:12]}", slug, rel, _set_csv_cell(column, number),
                              (column, "række 2")))
    # impossible magnitudes: a count above the population, a share above 100, a budget far from actuals
    cases += [
        Case("budget-1e12", "naestved", "naestved/budget.csv", _set_csv_cell("full_time_persons", "1000000000000"),
             ("full_time_persons", "række 2", "befolkning")),
        Case("resource-persons-1e9", "naestved", "naestved/resource_persons.csv",
             _set_csv_cell("full_time_persons", "1000000000"), ("full_time_persons", "række 2", "befolkning")),
        Case("exit-rate-101", "slagelse", "slagelse/exit_rates.csv", _set_csv_cell("rate_pct", "101"),
             ("rate_pct", "række 2", "100")),
        Case("share-150", "slagelse", "slagelse/resource_comparison.csv", _set_csv_cell("share_pct", "150"),
             ("share_pct", "række 2", "100")),
    ]
    return cases


# --- jobindsats extracts, every format
EXTRACTS = {  # format -> (slug, file)
    "v2-csv": ("slagelse", "extracts/ptv_a02_slagelse-sammenligning_2014M01-2019M12.csv"),
    "v3-csv": ("naestved", None),
    "v3-json": ("slagelse", "extracts/y60a02_slagelse-sammenligning_2017M01-2019M12.json"),
    "xlsx": ("naestved", "extracts/ptv_a02_naestved-klynge_2017M01-2018M12.xlsx"),
}
FTE = "Antal fuldtidspersoner"
SHARE = "Fuldtidspersoner i pct. af befolkningen 16-64 år"


def _extract_rel(fmt: str) -> str:
    slug, rel = EXTRACTS[fmt]
    if rel is None:
        manifest = yaml.safe_load((RAW / slug / "extracts" / "PROVENANCE.yaml").read_text(encoding="utf-8"))
        rel = "extracts/" + next(e["file"] for e in manifest["files"] if e["format"] == fmt)
    return f"{slug}/{rel}"


def _set_extract_cell(column: str, value: object) -> Callable[[Path], None]:
    """Row 1 of the data, in the file's own format; `value` is written as the format writes a number."""
    def mutate(path: Path) -> None:
        if path.suffix == ".json":
            doc = json.loads(_text(path))
            doc["rows"][0][doc["columns"].index(column)] = value
            path.write_text(json.dumps(doc, ensure_ascii=False, allow_nan=True), encoding="utf-8")
        elif path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path)
            sheet = book.worksheets[0]
            header = [c.value for c in sheet[1]]
            sheet.cell(row=2, column=header.index(column) + 1, value=value)
            book.save(path)
        else:
            bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
            lines = _text(path).split("\n")
            cells = lines[1].split(";")
            cells[lines[0].split(";").index(column)] = str(value).replace(".", ",") \
                if isinstance(value, float) else str(value)
            lines[1] = ";".join(cells)
            path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8"))
    return mutate


def _xlsx_member(edit: Callable[[str, bytes], bytes]) -> Callable[[Path], None]:
    """Rewrite the workbook's zip with one member changed (kept as a valid zip unless `edit` breaks it)."""
    def mutate(path: Path) -> None:
        src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, edit(info.filename, src.read(info.filename)))
        path.write_bytes(out.getvalue())
    return mutate


def _corrupt_deflate(path: Path) -> None:
    """Flip bytes inside the sheet's compressed data: the zip opens, reading the sheet fails (zlib.error)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as book:
        info = book.getinfo(next(n for n in book.namelist() if n.startswith("xl/worksheets/")))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + min(info.compress_size, 60)):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def _sheet(edit: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    return _xlsx_member(lambda name, data: edit(data) if name.startswith("xl/worksheets/") else data)


def _cell(ref: str, replacement: bytes) -> Callable[[bytes], bytes]:
    """The sheet with cell `ref` rewritten as `<c r="ref" {replacement}</c>`."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>', re.S)
    return lambda data: pattern.sub(b'<c r="' + ref.encode() + b'" ' + replacement + b"</c>", data, count=1)


def _extract_cases() -> list[Case]:
    cases = []
    for fmt in EXTRACTS:
        rel = _extract_rel(fmt)
        slug = rel.split("/")[0]
        cases += _byte_cases(f"extract-{fmt}", slug, rel, text_format=fmt != "xlsx")
        count = float(10**9) if fmt != "xlsx" else 10**9
        values = {"1e9-count": (FTE, count, "befolkning"), "share-150": (SHARE, 150.0, "100"),
                  "negative": (FTE, -5.0, "negativt"), "text": (FTE, "mange", "mange")}
        if fmt == "v3-json":
            values |= {"Infinity": (FTE, float("inf"), "inf"), "NaN": (FTE, float("nan"), "nan"),
                       "401-digits": (FTE, int("9" * 401), "999"), "bool": (FTE, True, "True")}
        elif fmt == "xlsx":
            values |= {"inf-text": (FTE, "inf", "inf"), "formula-text": (FTE, "=1/0", "mangler")}
        else:
            values |= {"inf": (FTE, "inf", "inf"), "401-digits": (FTE, "9" * 401, "999"),
                       "1e999": (FTE, "1e999", "1e999")}
        for name, (column, value, word) in values.items():
            # a formula without a cached value reads as an empty cell: reported as the month it leaves out
            expected = (word,) if name == "formula-text" else (column, word)
            cases.append(Case(f"extract-{fmt}-{name}", slug, rel, _set_extract_cell(column, value), expected))
    json_rel = _extract_rel("v3-json")
    cases += [
        Case("extract-json-deep", "slagelse", json_rel, lambda p: _write(p, "[" * 100_000 + "]" * 100_000)),
        Case("extract-json-deep-object", "slagelse", json_rel,
             lambda p: _write(p, '{"columns": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + ', "rows": []}')),
        Case("extract-json-latin1-whole", "slagelse", json_rel,
             lambda p: p.write_bytes(_text(p).encode("latin-1", errors="replace"))),
        Case("extract-json-not-object", "slagelse", json_rel, lambda p: _write(p, "[1, 2, 3]")),
        Case("extract-json-row-not-list", "slagelse", json_rel,
             lambda p: _write(p, json.dumps({"columns": ["Periode"], "rows": [{"a": 1}]}))),
    ]
    xlsx_rel = _extract_rel("xlsx")
    cases += [
        Case("extract-xlsx-bad-zip-member", "naestved", xlsx_rel, _corrupt_deflate),
        Case("extract-xlsx-sheet-xml-broken", "naestved", xlsx_rel, _sheet(lambda d: d[: len(d) // 2])),
        Case("extract-xlsx-sheet-xml-garbage", "naestved", xlsx_rel, _sheet(lambda d: GARBAGE)),
        Case("extract-xlsx-cell-ref-bad", "naestved", xlsx_rel,
             _sheet(lambda d: re.sub(rb'r="A2"', b'r="??"', d, count=1))),
        Case("extract-xlsx-shared-string-index", "naestved", xlsx_rel, _sheet(_cell("A2", b't="s"><v>999999</v>'))),
        Case("extract-xlsx-number-not-number", "naestved", xlsx_rel, _sheet(_cell("E2", b't="n"><v>abc</v>'))),
        Case("extract-xlsx-date-not-date", "naestved", xlsx_rel, _sheet(_cell("E2", b't="d"><v>x</v>'))),
        Case("extract-xlsx-sheet-missing", "naestved", xlsx_rel, _xlsx_member(
            lambda n, d: d.replace(b"worksheets/sheet1.xml", b"worksheets/sheet9.xml") if n.endswith(".rels") else d)),
        Case("extract-xlsx-not-zip-but-named-so", "naestved", xlsx_rel, _bytes(b"PK\x03\x04" + GARBAGE)),
    ]
    return cases


# --- YAML files
def _alias_bomb(depth: int = 12, width: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


YAML_FILES = {
    "kommune.yaml": "slagelse/kommune.yaml",
    "comparison_groups.yaml": "naestved/comparison_groups.yaml",
    "proposals.yaml": "slagelse/proposals.yaml",
    "PROVENANCE.yaml": "naestved/extracts/PROVENANCE.yaml",
    "taxonomy.yaml": "reference/taxonomy.yaml",
}
YAML_BREAKS = {
    "alias-bomb": lambda p: _write(p, _alias_bomb()),
    "syntax": lambda p: _write(p, _text(p) + "\nbroken: [unclosed\n  - x: : y\n"),
    "deep": lambda p: _write(p, "x: " + "[" * 200 + "]" * 200 + "\n"),
    "empty": _bytes(b""),
    "latin1": lambda p: p.write_bytes((_text(p) + "\n# Ærø\n").encode("latin-1", errors="replace")),
    "garbage": _bytes(GARBAGE),
    "scalar": lambda p: _write(p, "bare en tekst\n"),
    "duplicate-key": lambda p: _write(p, _text(p) + "\n" + _text(p).split("\n")[0] + "\n"
                                      if ":" in _text(p).split("\n")[0] else "a: 1\na: 2\n"),
    "tab-indent": lambda p: _write(p, "a:\n\t- b\n"),
    "python-tag": lambda p: _write(p, "a: !!python/object/apply:os.system ['true']\n"),
}


def _yaml_cases() -> list[Case]:
    cases = []
    for name, rel in YAML_FILES.items():
        slug = rel.split("/")[0] if not rel.startswith("reference/") else "slagelse"
        for kind, mutate in YAML_BREAKS.items():
            cases.append(Case(f"{name}-{kind}", slug, rel, mutate))
    return cases


# --- the consultant's texts
def _append(text: str) -> Callable[[Path], None]:
    return lambda p: _write(p, _text(p) + "\n" + text + "\n")


TEXT_BREAKS = {
    "remote-image": (_append("![x](http://127.0.0.1:9/x.png)"), "http://127.0.0.1:9/x.png"),
    "protocol-relative": (_append("![x](//127.0.0.1:9/x.png)"), "//127.0.0.1:9/x.png"),
    "file-url": (_append("![x](file:///etc/passwd)"), "file:///etc/passwd"),
    "raw-html-img": (_append('<img src="https://example.org/x.png">'), "https://example.org/x.png"),
    "latin1": (lambda p: p.write_bytes((_text(p) + "Ærø\n").encode("latin-1", errors="replace")), "UTF-8"),
    "unknown-placeholder": (_append("{{ findes.ikke }}"), "findes.ikke"),
}


def _text_cases() -> list[Case]:
    return [Case(f"{name}-{kind}", slug, f"{slug}/texts/{name}", mutate, (word,))
            for slug, name in (("naestved", "indledning.md"), ("slagelse", "vurdering.md"))
            for kind, (mutate, word) in TEXT_BREAKS.items()]


# --- every problem at once, and the lesser problems (issue 15, 7 and 8)
def _replace(old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    return lambda p: _write(p, _text(p).replace(old, new, count))


def _duplicate_measure(path: Path) -> None:
    """The FTE column twice (header and every row): one problem for the header, not one per row."""
    lines = _text(path).split("\n")
    at = lines[0].split(";").index(FTE)
    _write(path, "\n".join(f"{line};{line.split(';')[at]}" if line else line for line in lines))


def _repeat_rows(times: int) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        lines = _text(path).rstrip("\n").split("\n")
        _write(path, "\n".join([lines[0]] + lines[1:] * times) + "\n")
    return mutate


def _rows(row: str, count: int) -> Callable[[Path], None]:
    """The header and `count` copies of a short row: over the row cap, under the size cap."""
    return lambda p: _write(p, _text(p).split("\n")[0] + "\n" + (row + "\n") * count)


def _link_outside(path: Path) -> None:
    outside = path.parents[4] / f"outside-{path.name}"      # beside the data copy, not in it
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)


def _then(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        for m in mutations:
            m(path)
    return mutate


def _also(rel: str, mutate: Callable[[Path], None]) -> Callable[[Path], None]:
    """Break a second file of the same municipality too (`rel` relative to the first file's folder)."""
    return lambda p: mutate(p.parent / rel)


PTV = _extract_rel("v2-csv")
TWO_ID = _replace("  - id: sygedagpenge-tidlig-indsats", "  - id: dagpenge-kontaktforloeb")
MORE_CASES = [
    Case("extract-duplicate-measure-column", "slagelse", PTV, _duplicate_measure, (FTE, "to gange", "række 1")),
    Case("extract-two-bad-rows", "slagelse", PTV, _then(_replace(";445,5;", ";-4;"), _replace(";8449,6;", ";abc;")),
         ("række 2", "negativt", "række 3", "abc")),
    Case("population-two-bad-rows", "slagelse", "slagelse/population.csv",
         _then(_replace(",48950,", ",-5,"), _replace(",48910,", ",abc,")), ("række 2", "'-5'", "række 3", "abc")),
    Case("proposals-missing-and-duplicate-id", "slagelse", "slagelse/proposals.yaml",
         _then(TWO_ID, _replace("  - id: ungeindsats\n", "  - title_x: 1\n")),
         ("forslag nr. 4: feltet mangler", "id'et er også brugt af forslag nr. 1")),
    Case("resources-and-proposals", "slagelse", "slagelse/resources.csv",
         _then(_replace(",4175,", ",abc,"), _also("proposals.yaml", TWO_ID)),
         ("expenses_1000kr", "abc", "proposals.yaml", "id'et er også brugt")),
    Case("proposals-placeholder-line", "slagelse", "slagelse/proposals.yaml",
         _replace("Mploy har beskrevet {{ count }}", "Mploy har beskrevet {{ taellen.findes.ikke }}"),
         ("linje 9", "taellen.findes.ikke")),
    Case("proposals-nul", "slagelse", "slagelse/proposals.yaml", _replace('provenance: "', 'provenance: "\x00'),
         ("linje 4", "\\x00")),
    Case("vurdering-nul", "slagelse", "slagelse/texts/vurdering.md", _append("x\x00y"), ("linje 38", "\\x00")),
    Case("kommune-name-not-folder", "slagelse", "slagelse/kommune.yaml", _replace("name: Slagelse", "name: Sorø"),
         ("'name'", "Sorø", "slagelse")),
    Case("extract-50mb", "slagelse", PTV, _repeat_rows(102), ("for stor", "50,4 MB")),
    Case("extract-over-200000-rows", "slagelse", PTV, _rows("Slagelse;2019M01;Dagpenge;1;1,0;0,1", 200_001),
         ("200.000",)),
    Case("unit-costs-over-50000-rows", "slagelse", "slagelse/unit_costs.csv", _rows("K,dagpenge,1,x", 50_001),
         ("50.000",)),
    Case("text-link-outside-data", "slagelse", "slagelse/texts/vurdering.md", _link_outside, ("uden for data/",)),
    Case("csv-link-outside-data", "naestved", "naestved/budget.csv", _link_outside, ("uden for data/",)),
]


RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
CASES = _own_csv_cases() + _extract_cases() + _yaml_cases() + _text_cases() + MORE_CASES
# `make test` runs every other case (over 100, every file type); SERVICETJEK_FULL_CORPUS=1 runs them all.
RUN = CASES if os.environ.get("SERVICETJEK_FULL_CORPUS") else CASES[:-len(MORE_CASES)][::2] + MORE_CASES


def test_corpus_is_large_and_covers_every_file_type():
    assert len(CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)
    kinds = {Path(c.rel).suffix for c in CASES}
    assert kinds == {".csv", ".json", ".xlsx", ".yaml", ".md"}
    assert len(RUN) >= 100 and {Path(c.rel).suffix for c in RUN} == kinds


# ------------------------------------------------------------------ running a case
@pytest.fixture
def in_process(data_copy, monkeypatch):
    """`cli.main` with every data path pointed at the private copy."""
    from servicetjek import config

    root = data_copy.root
    for name, value in {"DATA_DIR": root, "RAW_DIR": root / "raw", "REFERENCE_DIR": root / "raw" / "reference",
                        "PROCESSED_DIR": root / "processed", "TAXONOMY_FILE": root / "raw" / "reference" /
                        "taxonomy.yaml", "REPORTS_DIR": root.parent / "reports"}.items():
        monkeypatch.setattr(config, name, value)
    return data_copy


def _check(data_copy: DataCopy, case: Case, run: Callable[[], tuple[int, str]]) -> str:
    path = data_copy.raw / case.rel
    assert path.is_file(), case.rel
    case.mutate(path)
    before = tree_digest(data_copy.raw)
    started = time.monotonic()
    status, stderr = run()
    assert time.monotonic() - started < 60, "too slow: a limit is missing"
    assert status == 2, stderr
    assert "Traceback" not in stderr
    assert Path(case.rel).name in stderr, stderr
    for part in case.expected:
        assert part in stderr, f"{part!r} not in:\n{stderr}"
    assert list(data_copy.processed.iterdir()) == []
    assert tree_digest(data_copy.raw) == before
    return stderr


@pytest.mark.parametrize("case", RUN, ids=str)
def test_bad_input(in_process, capsys, case):
    from servicetjek.cli import main

    def run() -> tuple[int, str]:
        status = main(["prepare", "--kommune", case.slug])
        return status, capsys.readouterr().err

    _check(in_process, case, run)


SAMPLE = ["population-empty", "benefit_costs-inf", "taxonomy.yaml-syntax", "extract-json-deep",
          "extract-json-latin1-whole", "extract-v2-csv-401-digits", "extract-v3-json-Infinity",
          "extract-xlsx-bad-zip-member", "comparison_groups.yaml-alias-bomb", "indledning.md-remote-image"]


@pytest.mark.parametrize("case", [c for c in CASES if c.id in SAMPLE], ids=str)
def test_corpus_sample_through_the_cli(data_copy, case):
    def run() -> tuple[int, str]:
        result = data_copy.pipeline("prepare", "--kommune", case.slug)
        return result.returncode, result.stderr

    _check(data_copy, case, run)


def test_sample_names_exist():
    assert set(SAMPLE) <= {c.id for c in CASES}


# ------------------------------------------------------------------ a bomb stays in its municipality
def test_alias_bomb_in_one_kommune_yaml_leaves_the_other_municipality(data_copy):
    _write(data_copy.raw / "naestved" / "kommune.yaml", _alias_bomb(depth=30))
    started = time.monotonic()
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 0, run.stderr
    run = data_copy.pipeline("prepare", "--all")
    assert run.returncode == 2 and "kommune.yaml" in run.stderr and "aliaser" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in data_copy.processed.iterdir()) == ["slagelse"]
    assert time.monotonic() - started < 60


def test_alias_bomb_in_comparison_groups_is_fast(data_copy):
    _write(data_copy.raw / "slagelse" / "comparison_groups.yaml", _alias_bomb(depth=30))
    started = time.monotonic()
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 2 and "comparison_groups.yaml" in run.stderr and "aliaser" in run.stderr
    assert time.monotonic() - started < 30


def test_every_yaml_read_is_bounded():
    """No module reads YAML but through validation.safe_yaml (aliases, depth and size capped)."""
    package = Path(__file__).resolve().parent.parent / "servicetjek"
    offenders = [f"{p.relative_to(package)}:{n}" for p in package.rglob("*.py") if p.name != "validation.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"yaml\.(safe_load|load|full_load|unsafe_load|load_all|safe_load_all)\(", line)]
    assert offenders == []
