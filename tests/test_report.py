"""Presentation: captions, sources, escaping and deterministic SVG."""

import pandas as pd

from servicetjek.publish import report, style


def test_table_caption_source_note_and_escaping():
    body = pd.DataFrame({"": ["<script>alert(1)</script>", "I alt"], "2019": ["1.071", "9.743"]})
    html = report.table_html(body, 3, "Udviklingen & mere", source="Jobindsats.dk", note="Ekskl. kommunen",
                             row_classes=["", "total"])
    assert '<span class="st-num">Tabel 3:</span> Udviklingen &amp; mere' in html
    assert "<p class=\"st-source\">Kilde: Jobindsats.dk</p>" in html
    assert "Anm.: Ekskl. kommunen" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'id="tabel-3"' in html and '<tr class="total">' in html


def test_markdown_from_data_cannot_inject_script():
    html = report.markdown_html("**Baggrund** <script>alert('x')</script> & <img src=x onerror=alert(1)>")
    assert "<strong>Baggrund</strong>" in html
    assert "<script" not in html and "<img" not in html


def _figure():
    with style.figure() as (fig, ax):
        ax.plot([2017, 2018, 2019], [9702, 9617, 9743], label="Slagelse")
        style.danish_ticks(ax)
        ax.legend()
        return fig


def test_svg_is_deterministic_and_dateless():
    first, second = style.to_svg(_figure()), style.to_svg(_figure())
    assert first == second
    assert first.startswith("<svg") and "<dc:date>" not in first and "Matplotlib v" not in first


def test_figure_html_caption():
    html = report.figure_html(_figure(), 2, "Scenarier", source="Egne beregninger")
    assert '<span class="st-num">Figur 2:</span> Scenarier' in html and 'id="figur-2"' in html
    assert 'role="img" aria-label="' in html
    assert 'alt text of my own' in report.figure_html(_figure(), 2, "Scenarier", alt="alt text of my own")


def test_source_text_marks_constructed_inputs():
    """The Kilde line stays the source; the table gets the mark and its note (no notice on the Kilde line)."""
    prov = pd.DataFrame({"file": ["extracts/a.csv", "budget.csv"], "item": ["", ""],
                         "kind": ["published", "constructed"], "provenance": ["published: x.txt, T", "constructed: y"]})
    plain = report.source_text("Jobindsats.dk", prov, ["extracts/"])
    built = report.source_text("Jobindsats.dk", prov, ["extracts/", "budget.csv"])
    assert plain == built == "Jobindsats.dk" and not plain.constructed and built.constructed
    body = pd.DataFrame({"Gruppe": ["A"], "2020": ["1"]})
    assert "st-mark" not in report.table_html(body, 1, "T", source=plain)
    marked = report.table_html(body, 1, "T", source=built)
    assert 'class="st-mark"' in marked and "Konstrueret tal, se Datagrundlag" in marked


def test_figure_alt_text_states_the_numbers():
    """The SVG's aria-label gives the figure's values (Danish format), not the caption again."""
    html = report.figure_html(_figure(), 2, "Scenarier", source="Egne beregninger")
    label = html.split('aria-label="')[1].split('"')[0]
    assert label != "Scenarier"
    assert "Slagelse: 2017: 9.702; 2018: 9.617; 2019: 9.743" in label
    with style.figure() as (fig, ax):
        ax.barh([0, 1], [-29.5, 11.9], tick_label=["Dagpenge", "Revalidering"])
        html = report.figure_html(fig, 3, "Afvigelse")
    assert "Dagpenge: -29,5; Revalidering: 11,9" in html


def test_figure_keeps_legible_text_on_narrow_screens():
    """The SVG carries the width below which its smallest text (9 pt ticks here) would be under 9 px."""
    html = report.figure_html(_figure(), 2, "Scenarier")
    width = int(html.split("--st-min-width: ")[1].split("px")[0])
    natural = float(html.split('width="')[1].split("pt")[0]) * 4 / 3
    assert 0 < width < natural


def test_table_headers_are_marked_up_as_headers():
    body = pd.DataFrame({"": ["Dagpenge", "I alt"], "2019": ["1.071", "9.743"], "2020": ["1", "2"]})
    html = report.table_html(body, 3, "T", header_groups=[("", 1), ("År", 2)])
    assert '<th scope="colgroup" colspan="2" class="st-group">År</th>' in html
    assert '<th scope="col">2019</th>' in html and '<th scope="row" class="st-label">Dagpenge</th>' in html
    assert '<div class="st-scroll">' in html
