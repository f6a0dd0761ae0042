"""Checked is evidence, so the sampler and the searches reach where false claims hide: unknown
functions that are not affine in any argument, sizes beyond 8, integers far from 0, points next
to the roots of an inequality's difference, and optimised variables far out."""

import sympy as sp

from derivations.reading import files
from derivations.checker import check
from derivations.kernel import POSITIVE_INTEGER, Context, Domain, Verdict
from derivations.sampling import Sampler


def _verdict(tmp_path, text):
    path = tmp_path / "t.deriv.yaml"
    path.write_text(text, encoding="utf-8")
    return check(files.read(path)).steps[0].verdict


def test_a_sampled_function_is_affine_in_none_of_its_arguments():
    sampler = Sampler(Context(), 7)
    for nargs in (1, 2, 3):
        for _ in range(5):
            body = sampler._function(nargs)
            for variable in body.variables:
                assert sp.diff(body.expr, variable, 2) != 0


def test_sizes_beyond_eight_and_integers_far_from_zero_are_drawn():
    ctx = Context()
    n = ctx.symbol("n", POSITIVE_INTEGER)
    m = ctx.symbol("m", Domain(integer=True))
    sampler = Sampler(ctx, 11)
    points = [sampler.point([n + m], attempt) for attempt in range(18)]
    assert max(p.integers[n] for p in points) > 8
    assert max(abs(p.integers[m]) for p in points[:6]) > 10**4


def test_an_unknown_function_of_two_arguments_averaged_in_the_second_is_not_checked(tmp_path):
    text = """\
title: affine in the second argument only
symbols: {x: real, y: real, u: real, f: function of 2 arguments}
start: f(x, (y + u)/2)
steps:
  - expr: (f(x, y) + f(x, u))/2
    by: wrongly assumed linear
"""
    assert _verdict(tmp_path, text) in (Verdict.REFUTED, Verdict.UNDECIDED)


def test_an_inequality_false_in_a_narrow_gap_is_refuted_next_to_a_root(tmp_path):
    text = """\
title: a narrow gap
symbols: {x: real, y: "in (0, 1)"}
start: (x - 7/3)**2 + y**2
steps:
  - expr: 1/10**8 + y**2
    relation: ">="
    by: a square is at least a tiny number
"""
    assert _verdict(tmp_path, text) is Verdict.REFUTED


def test_objectives_that_part_only_far_out_are_not_checked(tmp_path):
    text = """\
title: a bump near 50
symbols: {theta: real}
optimize: {over: [theta], sense: maximize}
start: theta
steps:
  - expr: theta + 100*exp(-(theta - 50)**2)
    relation: same optimizers
    by: a bump far out
"""
    assert _verdict(tmp_path, text) is Verdict.REFUTED


def test_a_claim_true_only_for_small_integers_is_refuted(tmp_path):
    text = """\
title: small integers only
symbols: {m: integer, n: positive integer}
start: m**2 + 2**n
steps:
  - expr: 10**8 + 300
    relation: "<="
    by: true for what one tries by hand
"""
    assert _verdict(tmp_path, text) is Verdict.REFUTED
