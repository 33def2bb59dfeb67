"""The overview page of a batch: every built municipality ranked on the key figures, with a link to its
report (reports/<kind>-oversigt.html). It reads only what the builds wrote (manifest.json, tables/*.csv),
so it can be written again at any time without building anything.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from servicetjek import config
from servicetjek.publish import formatting as fmt


@dataclass(frozen=True)
class KeyFigures:
    slug: str
    name: str
    link: str                 # relative to the overview page
    share: float              # pct. of the population 16-64 on public benefits (full-time persons), latest year
    change: float             # ratio, full-time persons on benefits over the status years
    benchmark_pp: float       # actual minus expected share, pct.-points (STAR's benchmark, latest period)
    placement: int            # rank in STAR's benchmark (1 = fewest relative to expected)
    count: int                # municipalities in the benchmark
    year: int
    first_year: int
    constructed: bool


def overview_file(kind: str) -> Path:
    return config.REPORTS_DIR / f"{kind}-oversigt.html"


def key_figures(folder: Path) -> KeyFigures | None:
    """The key figures of one built report (None: not built, or a kind without status and benchmark)."""
    manifest_file, tables = folder / "manifest.json", folder / "tables"
    needed = [tables / f"{t}.csv" for t in ("status_shares", "status_development", "benchmark_rank")]
    if not manifest_file.is_file() or not all(p.is_file() for p in needed):
        return None
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    name, kind, slug = manifest["kommune"], manifest["report"], manifest["slug"]
    shares = pd.read_csv(needed[0]).set_index("row_id")
    development = pd.read_csv(needed[1]).set_index("row_id")
    rank = pd.read_csv(needed[2]).iloc[-1]
    years = [int(c) for c in development.columns if c.isdigit()]
    page = next((folder / f"{kind}-{slug}.{ext}" for ext in ("html", "pdf") if (folder / f"{kind}-{slug}.{ext}").is_file()),
                folder)
    return KeyFigures(slug, name, os.path.relpath(page, config.REPORTS_DIR), float(shares.loc["i_alt", name]),
                      float(development.loc["i_alt", "change_period"]), float(rank["forskel_pp"]),
                      int(rank["placering"]), int(rank["count"]), years[-1], years[0],
                      bool(manifest.get("constructed_inputs")))


def collect(kind: str, slugs: list[str]) -> list[KeyFigures]:
    from servicetjek.publish.build import report_target

    found = [key_figures(report_target(slug, kind)) for slug in slugs]
    return [k for k in found if k is not None]


def _ranks(values: list[float]) -> list[int]:
    """1 = the lowest value (fewest on benefits, the largest fall, the best benchmark position)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0] * len(values)
    for position, i in enumerate(order, 1):
        out[i] = position
    return out


CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1d1d1b;margin:0 auto;max-width:60rem;padding:1rem;
line-height:1.45}h1{color:#1b3a5c;font-size:1.5rem;margin:.2rem 0 .6rem}p{max-width:42rem}
.wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}table{border-collapse:collapse;font-size:.9rem;
font-variant-numeric:tabular-nums;min-width:100%}th,td{padding:.35rem .5rem;border-bottom:1px solid #d5dbe0;
text-align:right;white-space:nowrap}th{background:#1b3a5c;color:#fff;font-weight:600;vertical-align:bottom;
white-space:normal}td.name,th.name{text-align:left;position:sticky;left:0;background:#fff}th.name{background:#1b3a5c}
a{color:#1b3a5c}.rank{color:#5b6770;font-size:.8rem}.notice{background:#fbecec;border-left:4px solid #b03030;
padding:.5rem .8rem}caption{caption-side:top;text-align:left;font-weight:600;color:#1b3a5c;padding:.4rem 0}
@media (max-width:480px){body{padding:.6rem}table{font-size:.8rem}th,td{padding:.3rem .35rem}}"""


def _date(day: dt.date) -> str:
    from servicetjek.publish.render import _MONTHS

    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def render(kind: str, title: str, figures: list[KeyFigures]) -> str:
    """The page: one row per municipality, ordered by STAR's benchmark placement."""
    share_rank = _ranks([k.share for k in figures])
    change_rank = _ranks([k.change for k in figures])
    rows = []
    for k, sr, cr in sorted(zip(figures, share_rank, change_rank), key=lambda t: (t[0].placement, t[0].name)):
        rows.append(
            f'<tr><td class="name"><a href="{html.escape(k.link)}">{html.escape(k.name)}</a></td>'
            f"<td>{fmt.number(k.placement)}</td><td>{fmt.signed(k.benchmark_pp, 2)}</td>"
            f'<td>{fmt.number(k.share, 1)} <span class="rank">({sr})</span></td>'
            f'<td>{fmt.change(k.change)} <span class="rank">({cr})</span></td></tr>')
    years = sorted({(k.first_year, k.year) for k in figures})
    period = f"{years[0][0]}–{years[0][1]}" if len(years) == 1 else "statusårene"
    notice = ('<p class="notice">Bemærk: rapporterne bygger helt eller delvist på konstruerede tal (ikke '
              "offentliggjorte), se datakilderne i hver rapport.</p>") if any(k.constructed for k in figures) else ""
    count = max((k.count for k in figures), default=98)
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} – oversigt</title><style>{CSS}</style></head>
<body><main>
<h1>{html.escape(title)}: oversigt over {fmt.number(len(figures))} kommuner</h1>
<p>Kommunerne ordnet efter placeringen i STAR's benchmark (1 = færrest på offentlig forsørgelse i forhold til det
forventede ud fra rammevilkårene, blandt {fmt.number(count)} kommuner). Tallet i parentes er kommunens placering
i denne oversigt på nøgletallet (1 = lavest andel eller største fald). Klik på kommunens navn for rapporten.</p>
{notice}
<div class="wrap"><table>
<caption>Tabel 1: Nøgletal for de byggede kommuner</caption>
<thead><tr><th class="name">Kommune</th><th>Placering</th><th>Faktisk − forventet, pct.-point</th>
<th>Andel, %</th><th>Udvikling {period}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></div>
<p>Kilde: Jobindsats.dk (ptv_a02 og STAR's benchmark, y30r21) og egne beregninger. Anm.: Placering og
forskel: STAR's benchmark i den seneste opgørelse. Andel: fuldtidspersoner på offentlig forsørgelse i pct. af
befolkningen 16-64 år i det seneste statusår. Udvikling: ændringen i antal fuldtidspersoner på offentlig
forsørgelse.</p>
<p class="rank">Dannet {_date(dt.date.today())}.</p>
</main></body></html>
"""


def write(kind: str, slugs: list[str]) -> Path | None:
    """Write reports/<kind>-oversigt.html over the municipalities' built reports (None: none had the key
    figures). Written beside and renamed into place, so a reader never sees half a page."""
    from servicetjek import declaration

    figures = collect(kind, slugs)
    if not figures:
        return None
    target = overview_file(kind)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(render(kind, declaration.report(kind).title, figures), encoding="utf-8")
    tmp.replace(target)
    return target
