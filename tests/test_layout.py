"""Breaking long formulas across display lines (derivations.documents.layout).  Whether the
result really fits is checked by compiling every document in test_tex.py."""

import re

import pytest
import sympy as sp

from derivations.documents.layout import CONTINUATION, LINE_WIDTH, break_lines, width
from derivations.documents.notation import to_latex

a, b, n, i = sp.symbols("a b n i")
x = sp.IndexedBase("x")


def rejoin(lines: list[str]) -> str:
    """The lines with everything the breaking added taken out again."""
    text = " ".join(lines)
    while r"\vphantom{" in text:  # phantoms nest no deeper than the brackets they measure
        start = text.index(r"\vphantom{")
        depth, end = 0, start + len(r"\vphantom")
        for end in range(end, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        text = text[:start] + text[end + 1:]
    text = text.replace(r"\right.", "").replace(r"\left.", "").replace("{}", "")
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("tex, measured", [
    # widths TeX gave these (display style, 10 pt): the estimate errs on the wide side
    (r"- \sum_{i=1}^{n} \left(\left(1 - y_{i}\right) \log\left(1 - h_{i}\right) + y_{i} "
     r"\log\left(h_{i}\right)\right)", 170.0),
    (r"\sum_{k=1}^{C} p_{k} \log\left(\frac{p_{k}}{q_{k}}\right) - \sum_{k=1}^{C} p_{k} "
     r"\log\left(p_{k}\right)", 142.0),
    (r"n \log\left(\sqrt{2} \sqrt{\pi} \sigma\right) + \frac{\sum_{i=1}^{n} \left(y_{i} - "
     r"\theta x_{i}\right)^{2}}{2 \sigma^{2}}", 155.0),
])
def test_width_estimate_is_close_to_what_tex_measures(tex, measured):
    assert 0.93 * measured <= width(tex) <= 1.2 * measured


def test_a_formula_that_fits_stays_whole():
    tex = to_latex((a + b) ** 2)
    assert break_lines(tex) == [tex]


def test_a_long_sum_breaks_before_its_signs_into_lines_that_fit():
    tex = to_latex(sp.expand((a + b) ** 12))
    lines = break_lines(tex)
    assert len(lines) >= 2
    assert all(width(line) <= LINE_WIDTH for line in lines)
    assert all(line.startswith(("{}+ ", "{}- ")) for line in lines[1:])
    assert rejoin(lines) == re.sub(r"\s+", "", tex)
    lengths = [width(line) for line in lines]
    assert max(lengths) - min(lengths) < LINE_WIDTH / 2  # even, not one full line and a stub


def test_a_bracket_cut_by_a_break_is_closed_and_reopened_at_one_height():
    tex = to_latex(-sp.Sum(sp.expand((x[i] + a + b) ** 4), (i, 1, n)))
    lines = break_lines(tex)
    assert len(lines) >= 2
    for line in lines:  # each line is balanced on its own
        assert line.count(r"\left") == line.count(r"\right")
    inside = re.search(r"\\left\(\\vphantom\{(.*?)\}a\^\{4\}", lines[0]).group(1)
    assert all(rf"\vphantom{{{inside}}}" in line for line in lines)  # the same height everywhere
    assert lines[1].startswith(r"\left.\vphantom{") and lines[-1].endswith(r"\right)")
    assert rejoin(lines) == re.sub(r"\s+", "", tex)


def test_the_outermost_breaks_come_first():
    """A wide sum after short terms goes on a line of its own rather than starting at a line's
    end and breaking inside its bracket straight away."""
    tex = to_latex(sp.expand((a + b) ** 12) - sp.Sum(sp.expand((x[i] + a + b) ** 4), (i, 1, n)))
    lines = break_lines(tex)
    sum_line = next(line for line in lines if r"\sum" in line)
    assert sum_line.startswith(r"{}- \sum")


def test_signs_and_exponents_are_not_break_points():
    exponent = to_latex(sp.exp(sp.expand((a + b) ** 12)))  # everything inside ^{...}
    assert break_lines(exponent) == [exponent]
    negative = " ".join([r"- a", *["- b_{%d}" % k for k in range(60)]])
    lines = break_lines(negative)
    assert lines[0].startswith("- a") and all(line.startswith("{}- b_") for line in lines[1:])


def test_text_the_printer_did_not_make_is_left_whole():
    unbalanced = r"\left( a + b " * 40
    assert break_lines(unbalanced) == [unbalanced]


def test_continued_lines_are_indented_by_the_template():
    assert CONTINUATION.strip() == r"\qquad"
