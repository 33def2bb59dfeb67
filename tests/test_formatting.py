"""Danish number formats via Babel."""

import math

import pytest

from servicetjek.publish import formatting as fmt

NB = "\u00a0"


@pytest.mark.parametrize("value, decimals, text", [
    (9743, 0, "9.743"), (157242, 0, "157.242"), (19.94, 1, "19,9"), (1.4508, 1, "1,5"), (0.05, 1, "0,1"),
    (2.25, 1, "2,3"), (-17.5, 0, "-18"), (-0.04, 1, "0,0"), (1071.5, 1, "1.071,5"), (-17500, 0, "-17.500"),
])
def test_number(value, decimals, text):
    assert fmt.number(value, decimals) == text


def test_percent_and_change():
    assert fmt.percent(-0.17) == f"-17{NB}%"
    assert fmt.percent(0.134, 1) == f"13,4{NB}%"
    assert fmt.change(-0.0042) == f"-0,4{NB}%"
    assert fmt.change(0.29) == f"29{NB}%"
    assert fmt.change(0.0042, 1) == f"0,4{NB}%"
    assert fmt.percent(0.05, sign=True) == f"+5{NB}%"


def test_money_and_missing():
    assert fmt.mio_kr(57_848_525) == f"58{NB}mio.{NB}kr."
    assert fmt.mio_kr(157_242_000, 1) == f"157,2{NB}mio.{NB}kr."
    assert fmt.number(math.nan) == "-"
    assert fmt.number(None, missing="") == ""
    assert fmt.signed(125) == "+125" and fmt.signed(-41) == "-41" and fmt.signed(0.2) == "0"


def test_rounding_ties_go_half_up_not_to_even():
    """4.850 to the hundred is 4.900 (half up); banker's rounding would give 4.800."""
    from servicetjek.publish.formatting import round_to

    assert round_to(4850, 100) == 4900 and round_to(-4850, 100) == -4900
    assert round_to(4750, 100) == 4800 and round_to(250, 100) == 300
    assert fmt.number(2.5) == "3" and fmt.number(0.125, 2) == "0,13"
