#!/usr/bin/env python3
"""Benchmark: `pipeline.py build` against the naive chain, side by side in one run.

    .venv/bin/python benchmarks/bench_build.py [--kommune Slagelse] [--rounds 3]

Everything runs on a private copy of data/ (SERVICETJEK_DATA) into temporary report folders, so the
project's own reports/ are not touched. Measured, each as the median of the rounds (interleaved):

1. full build of one municipality (`pipeline.py build --kommune K --force --format html,pdf`: the same
   formats as the chain) against the naive chain, per chapter: `papermill` CLI →
   `jupyter nbconvert --to html --no-input` CLI → `weasyprint` CLI; and how the build's time splits
   between its steps (the manifest's `steps_seconds`, medians);
2. a rebuild with no changed input;
3. a rebuild after editing one proposal in proposals.yaml (which chapters re-ran), with HTML and PDF, and
   with HTML only (what a consultant rebuilds while writing);
4. `--all --jobs 2` against `--all --jobs 1` (both --force).

Targets (issue 16): full build ≤ 5 s and ≤ 0,2× the chain; proposal edit ≤ 4 s; no change ≤ 0,2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(PROJECT))


def run(cmd: list[str], env: dict, cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed


CODE = PROJECT   # replaced by a snapshot of the code in main(), so concurrent edits cannot disturb a run


def chapter_notebooks() -> list[Path]:
    """The snapshot's notebooks, in the order its report.yaml declares them."""
    import yaml

    chapters = yaml.safe_load((CODE / "report.yaml").read_text(encoding="utf-8"))["reports"]["servicetjek"]["chapters"]
    return [CODE / c["source"] for c in chapters if c["kind"] == "notebook"]


def naive_chain(kommune: str, env: dict, out: Path) -> float:
    """papermill CLI, then nbconvert CLI, then weasyprint CLI, per chapter."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    for nb in chapter_notebooks():
        executed = out / nb.name
        run([str(BIN / "papermill"), "--log-level", "WARNING", str(nb), str(executed), "-p", "kommune", kommune,
             "-p", "tables_dir", str(out / "tables")], env, out)
        run([str(BIN / "jupyter-nbconvert"), "--to", "html", "--no-input", "--log-level", "WARN", str(executed),
             "--output-dir", str(out)], env, out)
        run([str(BIN / "weasyprint"), str(out / f"{nb.stem}.html"), str(out / f"{nb.stem}.pdf")], env, out)
    return time.perf_counter() - start


FORMATS = "html,pdf"   # set from --format in main()


def pipeline(env: dict, cwd: Path, *args: str, formats: str | None = None) -> float:
    return run([sys.executable, str(CODE / "pipeline.py"), "build", "--quiet", "--format", formats or FORMATS,
                *args], env, cwd)


def steps(reports: Path, slug: str) -> dict[str, float]:
    manifest = json.loads((reports / slug / "manifest.json").read_text(encoding="utf-8"))
    return manifest.get("steps_seconds", {})


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kommune", default="Slagelse")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", default="html,pdf", help="the build's formats (default: html,pdf, as the chain)")
    args = parser.parse_args()

    from servicetjek.config import slugify

    global CODE, FORMATS
    FORMATS = args.format
    slug = slugify(args.kommune)
    work = Path(tempfile.mkdtemp(prefix="servicetjek-bench-"))
    CODE = work / "code"
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    shutil.copytree(PROJECT / "servicetjek", CODE / "servicetjek", ignore=ignore)
    shutil.copytree(PROJECT / "notebooks", CODE / "notebooks", ignore=ignore)
    shutil.copy2(PROJECT / "pipeline.py", CODE / "pipeline.py")
    shutil.copy2(PROJECT / "report.yaml", CODE / "report.yaml")
    data = work / "data"
    shutil.copytree(PROJECT / "data" / "raw", data / "raw")
    (data / "processed").mkdir()
    # PYTHONPATH: the kernels import the snapshot too (it comes before the venv's .pth entry)
    env = dict(os.environ, SERVICETJEK_DATA=str(data), SERVICETJEK_REPORTS=str(work / "reports"),
               PYTHONPATH=str(CODE))
    env.pop("JOBINDSATS_API_KEY", None)
    subprocess.run([sys.executable, str(CODE / "pipeline.py"), "prepare", "--all"], env=env, check=True,
                   capture_output=True)
    print(f"machine: {os.cpu_count()} CPU(s); python {sys.version.split()[0]}; rounds: {args.rounds}")
    print(f"chapters: {', '.join(p.name for p in chapter_notebooks())}")

    # warm the file cache once (not measured)
    pipeline(env, work, "--kommune", args.kommune, "--force")

    # 1. full build vs the naive chain, interleaved
    naive, ours, split = [], [], []
    for i in range(args.rounds):
        naive.append(naive_chain(args.kommune, env, work / "naive"))
        ours.append(pipeline(env, work, "--kommune", args.kommune, "--force"))
        split.append(steps(work / "reports", slug))
        print(f"  round {i + 1}: naive {naive[-1]:.1f} s, build {ours[-1]:.1f} s")
    ratio = median(ours) / median(naive)
    print(f"full build ({args.kommune}, {FORMATS}): build {median(ours):.1f} s vs naive chain {median(naive):.1f} s "
          f"-> ratio {ratio:.2f} (targets <= 5 s, <= 0.20)")
    print("  steps (median s): " + ", ".join(f"{k} {median([s.get(k, 0.0) for s in split]):.2f}" for k in split[0]))

    # 2. no change
    nochange = [pipeline(env, work, "--kommune", args.kommune) for _ in range(max(args.rounds, 5))]
    print(f"no-change rebuild: median {median(nochange):.2f} s, max {max(nochange):.2f} s (target <= 0.2 s)")

    # 3. one proposal edited
    proposals = data / "raw" / slug / "proposals.yaml"
    edited: dict[str, list[float]] = {FORMATS: [], "html": []}
    split = []
    ran: list[str] = []
    for i in range(args.rounds):
        for formats, times in edited.items():
            text = proposals.read_text(encoding="utf-8")
            match = re.search(r"\n *baggrund: \|\n( +)", text)     # the first proposal's background text
            insert = f"{match.group(1)}Redigeret i benchmark, runde {i + 1} ({formats}).\n\n"
            proposals.write_text(text[:match.end() - len(match.group(1))] + insert
                                 + text[match.end() - len(match.group(1)):], encoding="utf-8")
            times.append(pipeline(env, work, "--kommune", args.kommune, formats=formats))
            if formats == FORMATS:
                split.append(steps(work / "reports", slug))
            manifest = json.loads((work / "reports" / slug / "manifest.json").read_text(encoding="utf-8"))
            ran = [c["notebook"] for c in manifest["chapters"] if c["executed"]]
    for formats, times in edited.items():
        print(f"edit one proposal ({formats}): median {median(times):.1f} s (target <= 4 s); "
              f"re-executed: {', '.join(ran) or 'none'}")
    print("  steps (median s): " + ", ".join(f"{k} {median([s.get(k, 0.0) for s in split]):.2f}" for k in split[0]))

    # 4. --all --jobs 2 vs --jobs 1
    one, two = [], []
    for i in range(args.rounds):
        one.append(pipeline(env, work, "--all", "--force", "--jobs", "1"))
        two.append(pipeline(env, work, "--all", "--force", "--jobs", "2"))
        print(f"  round {i + 1}: --jobs 1 {one[-1]:.1f} s, --jobs 2 {two[-1]:.1f} s")
    speedup = median(one) / median(two)
    print(f"--all: --jobs 1 {median(one):.1f} s, --jobs 2 {median(two):.1f} s -> speed-up {speedup:.2f}x "
          "(target >= 1.6x)")

    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
