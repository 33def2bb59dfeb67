#!/usr/bin/env python3
"""Benchmark: `pipeline.py build` against the naive chain, side by side in one run.

    .venv/bin/python benchmarks/bench_build.py [--kommune Slagelse] [--rounds 3]

Everything runs on a private copy of data/ (SERVICETJEK_DATA) into temporary report folders, so the
project's own reports/ are not touched. Measured, each as the median of the rounds (interleaved):

1. full build of one municipality (`pipeline.py build --kommune K --force`) against the naive chain,
   per chapter: `papermill` CLI → `jupyter nbconvert --to html --no-input` CLI → `weasyprint` CLI;
2. a rebuild with no changed input;
3. a rebuild after editing one proposal in proposals.yaml (which chapters re-ran);
4. `--all --jobs 2` against `--all --jobs 1` (both --force).
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


def pipeline(env: dict, cwd: Path, *args: str) -> float:
    return run([sys.executable, str(CODE / "pipeline.py"), "build", "--quiet", *args], env, cwd)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kommune", default="Slagelse")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from servicetjek.config import slugify

    global CODE
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
    naive, ours = [], []
    for i in range(args.rounds):
        naive.append(naive_chain(args.kommune, env, work / "naive"))
        ours.append(pipeline(env, work, "--kommune", args.kommune, "--force"))
        print(f"  round {i + 1}: naive {naive[-1]:.1f} s, build {ours[-1]:.1f} s")
    ratio = median(ours) / median(naive)
    print(f"full build ({args.kommune}): build {median(ours):.1f} s vs naive chain {median(naive):.1f} s "
          f"-> ratio {ratio:.2f} (target <= 0.40)")

    # 2. no change
    nochange = [pipeline(env, work, "--kommune", args.kommune) for _ in range(max(args.rounds, 5))]
    print(f"no-change rebuild: median {median(nochange):.2f} s, max {max(nochange):.2f} s (target <= 1 s)")

    # 3. one proposal edited
    proposals = data / "raw" / slug / "proposals.yaml"
    edited = []
    ran: list[str] = []
    for i in range(args.rounds):
        text = proposals.read_text(encoding="utf-8")
        match = re.search(r"\n *baggrund: \|\n( +)", text)     # the first proposal's background text
        insert = f"{match.group(1)}Redigeret i benchmark, runde {i + 1}.\n\n"
        proposals.write_text(text[:match.end() - len(match.group(1))] + insert
                             + text[match.end() - len(match.group(1)):], encoding="utf-8")
        edited.append(pipeline(env, work, "--kommune", args.kommune))
        manifest = json.loads((work / "reports" / slug / "manifest.json").read_text(encoding="utf-8"))
        ran = [c["notebook"] for c in manifest["chapters"] if c["executed"]]
    print(f"edit one proposal: median {median(edited):.1f} s; re-executed: {', '.join(ran) or 'none'}")

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
