"""The phrase vocabulary (publish/phrases.py) and the placeholder filters built on it (publish/placeholders.py):
the same words from Python and from a consultant's text."""

from __future__ import annotations

import pytest

from servicetjek.errors import InputError
from servicetjek.publish import phrases
from servicetjek.publish.placeholders import render


@pytest.mark.parametrize("ratio, word", [(0.013, "steget"), (-0.011, "faldet"), (0.0004, "uændret"),
                                         (-0.0004, "uændret"), (0.0, "uændret")])
def test_direction_with_one_tolerance(ratio, word):
    assert phrases.direction(ratio) == word
    assert render('{{ x | retning("steget", "faldet") }}', {"x": ratio}) == word


@pytest.mark.parametrize("deviation, word", [(-0.19, "lavere"), (0.18, "højere"), (0.0, "på niveau med")])
def test_compare(deviation, word):
    assert render('{{ x | sammenlign("højere", "lavere") }}', {"x": deviation}) == word


@pytest.mark.parametrize("deviation, word", [(0.0, "tæt på"), (0.029, "tæt på"), (-0.029, "tæt på"),
                                             (0.03, "højere end"), (-0.05, "lavere end")])
def test_close_uses_the_one_threshold(deviation, word):
    assert phrases.level(deviation) == word
    assert render("{{ x | taet_paa }}", {"x": deviation}) == word


def test_exit_band_is_the_declared_threshold():
    import inspect

    from servicetjek.chapters import costs

    band = inspect.signature(costs.key_figures).parameters["exit_band"].default
    assert band == phrases.CLOSE_WITHIN * 100


@pytest.mark.parametrize("rank, text", [(1, "den laveste"), (2, "den næstlaveste"), (4, "den fjerdelaveste"),
                                        (12, "den tolvte­laveste".replace("\u00ad", ""))])
def test_rank_in_words(rank, text):
    assert phrases.rank(rank) == text
    assert render('{{ r | rang("laveste") }}', {"r": rank}) == text


@pytest.mark.parametrize("n, text", [(1, "1 andet jobcenter"), (12, "12 andre jobcentre"),
                                     (1000, "1.000 andre jobcentre")])
def test_count_with_grammatical_number(n, text):
    assert phrases.count(n, "andet jobcenter", "andre jobcentre") == text
    assert render('{{ n | antal("andet jobcenter", "andre jobcentre") }}', {"n": n}) == text


@pytest.mark.parametrize("ratio, text", [(39 / 10038, "under 1 pct."), (0.0, "0 pct."), (0.186, "19 pct."),
                                         (-0.186, "-19 pct."), (0.013, "1 pct.")])
def test_small_values_never_zero(ratio, text):
    assert phrases.percent(ratio) == text
    assert render("{{ x | procent }}", {"x": ratio}) == text
    assert phrases.percent(0.0004, 1) == "under 0,1 pct."


@pytest.mark.parametrize("kr, text", [(57_812_000, "58 mio. kr."), (3_620_000, "3,6 mio. kr."),
                                      (-57_812_000, "-58 mio. kr.")])
def test_one_rounding_of_millions(kr, text):
    assert phrases.mio_kr(kr) == text
    assert render("{{ x | mio_kr }}", {"x": kr}) == text


def test_definite_forms():
    assert render("{{ r | bestemt }} og {{ n | bestemt_genitiv }} udvikling",
                  {"r": "klynge", "n": "near_labour_market"}) == "klyngen og det nære arbejdsmarkeds udvikling"
    with pytest.raises(InputError, match="ukendt sammenligningsgruppe"):
        render("{{ r | bestemt }}", {"r": "Klynge"})


def test_old_syntax_and_number_keys_still_work():
    ctx = {"status": {"i_alt": {2019: 9743.0}}, "catalogue": {"number": {"smaa-job": 3}},
           "s": {"years": {"last": "2019"}, "v": {"2019": 1.0}}}
    assert render("{{ status.i_alt.2019 }} og {{status.i_alt.2019|r100}}", ctx) == "9.743 og 9.700"
    assert render("{{ catalogue.number.smaa-job }}", ctx) == "3"
    assert render("{{ s.v.2019 }}", ctx) == "1"


@pytest.mark.parametrize("template", ["{{ x.__class__ }}", "{{ x | attr('__class__') }}", "{% for a in x %}",
                                      "{{ range(10) }}", "{{ lipsum() }}"])
def test_sandbox_gives_only_values(template):
    ctx = {"x": {"a": 1.0}}
    try:
        out = render(template, ctx)
    except InputError:
        return
    assert out == template        # statements are plain text, never run


def test_every_problem_with_file_and_line():
    with pytest.raises(InputError) as info:
        render("a\n{{ x.y }}\n{{ x | nope }}\n{{ x.a | retning( }}", {"x": {"a": 1.0}}, file="t.md")
    problems = info.value.problems
    assert [p.line for p in problems] == [2, 3, 4]
    assert all(str(p.file) == "t.md" for p in problems)
