#!/usr/bin/env python3
"""Benchmark: the public-data report (`offentlig`) for N generated municipalities in one batch.

    .venv/bin/python benchmarks/bench_national.py                       # N = 2, 10, 98; --jobs 1 and 2
    .venv/bin/python benchmarks/bench_national.py --sizes 2 --jobs 1,2  # a quick check

The 98 municipalities are generated once (tools/generate_kommuner.py) into a temporary data folder; every
run then starts cold, as a first batch does: no prepared tables, no reports (both folders are emptied), so
`prepare`, the kernels, the chapters and the HTML/PDF are all paid. Each run is one
`pipeline.py build --kommune … --rapport offentlig --force --quiet --jobs J` process, timed as a whole
(with the overview page). Printed: the total time, the cost per municipality (total / N) and the speed-up
of --jobs 2 over --jobs 1 at each N, as a Markdown table for the README, against the issue's targets
(98 reports in ≤ 5 min on 2 cores; --jobs 2 ≥ 1,8× --jobs 1 at N = 98).

The project's data/ and reports/ are never touched. Run it on an idle machine: the figures are wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
TARGET_TOTAL_S = 300.0     # 98 reports in ≤ 5 min on 2 cores
TARGET_SPEEDUP = 1.8       # --jobs 2 against --jobs 1 at N = 98


def slugs(data: Path) -> list[str]:
    """The generated municipalities in the generator's order (its list of the 98)."""
    sys.path.insert(0, str(PROJECT / "tools"))
    from construct_benchmark import POPULATION

    from servicetjek.config import slugify

    return [slugify(n) for n in POPULATION if (data / "raw" / slugify(n) / "kommune.yaml").is_file()]


def cold_run(data: Path, reports: Path, kommuner: list[str], jobs: int, formats: str) -> float:
    for folder in (data / "processed", reports):
        shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "SERVICETJEK_DATA": str(data), "SERVICETJEK_REPORTS": str(reports)}
    cmd = [sys.executable, str(PROJECT / "pipeline.py"), "build", "--rapport", "offentlig", "--force", "--quiet",
           "--jobs", str(jobs), "--format", formats]
    for slug in kommuner:
        cmd += ["--kommune", slug]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=PROJECT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed (N={len(kommuner)}, --jobs {jobs}):\n{proc.stderr[-3000:]}")
    if len(kommuner) > 1 and not (reports / "offentlig-oversigt.html").is_file():
        raise SystemExit("the overview page was not written")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2,10,98", help="numbers of municipalities (default 2,10,98)")
    parser.add_argument("--jobs", default="1,2", help="worker counts (default 1,2)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each (N, jobs); the median is shown")
    parser.add_argument("--format", default="html,pdf", help="formats (default html,pdf)")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs = [int(j) for j in args.jobs.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-national-"))
    data = args.keep or work / "data"
    try:
        start = time.perf_counter()
        subprocess.run([sys.executable, str(PROJECT / "tools" / "generate_kommuner.py"), str(data), "--antal",
                        str(max(sizes))], check=True, capture_output=True)
        print(f"generated {max(sizes)} municipalities in {time.perf_counter() - start:.1f} s", flush=True)
        names = slugs(data)
        results: dict[tuple[int, int], float] = {}
        for n in sizes:
            for j in jobs:
                times = [cold_run(data, work / "reports", names[:n], j, args.format) for _ in range(args.rounds)]
                results[(n, j)] = statistics.median(times)
                print(f"  N={n:3d} --jobs {j}: {results[(n, j)]:7.1f} s  ({results[(n, j)] / n:5.2f} s per "
                      f"municipality)  runs: {', '.join(f'{t:.1f}' for t in times)}", flush=True)
        report(results, sizes, jobs, args.format)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(results: dict[tuple[int, int], float], sizes: list[int], jobs: list[int], formats: str) -> None:
    print(f"\n| N | {' | '.join(f'--jobs {j}: total, per municipality' for j in jobs)} | speed-up |")
    print(f"|---|{'---|' * len(jobs)}---|")
    for n in sizes:
        cells = [f"{results[(n, j)]:.1f} s, {results[(n, j)] / n:.2f} s" for j in jobs]
        speed = (f"{results[(n, 1)] / results[(n, 2)]:.2f}×" if {1, 2} <= set(jobs) else "-")
        print(f"| {n} | {' | '.join(cells)} | {speed} |")
    print(f"\nformats: {formats}; cold runs (no prepared tables, no reports); {os.cpu_count()} CPUs")
    if 98 in sizes:
        best = min(results[(98, j)] for j in jobs)
        print(f"98 reports: {best:.0f} s (target <= {TARGET_TOTAL_S:.0f} s)")
        if {1, 2} <= set(jobs):
            print(f"--jobs 2 vs --jobs 1 at N=98: {results[(98, 1)] / results[(98, 2)]:.2f}x "
                  f"(target >= {TARGET_SPEEDUP}x)")


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT))
    sys.exit(main())
