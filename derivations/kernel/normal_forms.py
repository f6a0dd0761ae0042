"""Sound rewrites to a normal form: each returns an expression equal to its input under the
declared domains, so a difference that rewrites to 0 is 0.

No rewrite here uses ``force=True``: a logarithm is split only when the oracle proves its
factors positive, a power comes out of a logarithm only when its base is positive.
Cheapest first; the checker tries them in this order and stops at the first that reaches 0.
"""

from __future__ import annotations

import sympy as sp

from .bounds import BoundsOracle
from .definitions import unfold_definitions


def _split_log(arg: sp.Expr, oracle: BoundsOracle, env: dict) -> sp.Expr:
    """log(arg) with products, powers and exponentials taken apart where that is sound."""
    if isinstance(arg, sp.Product):
        inner_env, _, _ = oracle.enter(arg.limits, env)
        if oracle.is_positive(arg.function, inner_env):
            return sp.Sum(_split_log(arg.function, oracle, inner_env), *arg.limits)
    elif isinstance(arg, sp.Mul):
        if all(oracle.is_positive(factor, env) for factor in arg.args):
            return sp.Add(*[_split_log(factor, oracle, env) for factor in arg.args])
    elif isinstance(arg, sp.Pow):
        if arg.exp.is_extended_real and oracle.is_positive(arg.base, env):
            return arg.exp * _split_log(arg.base, oracle, env)
    elif isinstance(arg, sp.exp):
        if arg.args[0].is_extended_real:
            return arg.args[0]
    return sp.log(arg)


def split_logs(expr: sp.Expr, oracle: BoundsOracle, env: dict | None = None) -> sp.Expr:
    """Rewrite every natural logarithm with ``_split_log``, innermost first."""
    env = env or {}
    if not expr.args or not expr.has(sp.log):
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)):
        inner_env, _, _ = oracle.enter(expr.limits, env)
        return expr.func(split_logs(expr.function, oracle, inner_env), *expr.limits)
    args = [split_logs(a, oracle, env) for a in expr.args]
    if isinstance(expr, sp.log) and len(args) == 1:
        return _split_log(args[0], oracle, env)
    return expr.func(*args)


def _canonical_index(depth: int) -> sp.Symbol:
    # Declared names cannot start with "_", so these never capture a user's name.
    return sp.Symbol(f"_k{depth}", integer=True)


def _delta_pick(term: sp.Expr, index, a, b, oracle: BoundsOracle, env: dict):
    """Σ_{index=a}^{b} δ(index, j)·g = g at index = j, when a ≤ j ≤ b is proved."""
    for factor in sp.Mul.make_args(term):
        if isinstance(factor, sp.KroneckerDelta) and index in factor.args:
            (other,) = [x for x in factor.args if x != index] or [index]
            if (
                not other.has(index)
                and other.is_integer
                and oracle.at_least(other, a, env)
                and oracle.at_least(b, other, env)
            ):
                return (term / factor).xreplace({index: other})
    return None


def linear_sums(expr: sp.Expr, oracle: BoundsOracle, depth: int = 0, env: dict | None = None):
    """Sums split over their terms, factors free of the index pulled out, sums of constants
    counted, Kronecker deltas summed out, and bound indices renamed by depth."""
    env = env or {}
    if not expr.args:
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)):
        *inner, (index, a, b) = expr.limits
        body = type(expr)(expr.function, *inner) if inner else expr.function
        canonical = _canonical_index(depth)
        body = body.xreplace({index: canonical})
        inner_env, _, _ = oracle.enter([(canonical, a, b)], env)
        body = linear_sums(body, oracle, depth + 1, inner_env)
        if isinstance(expr, sp.Product):
            return sp.Product(body, (canonical, a, b))
        total = []
        for term in sp.Add.make_args(sp.expand(body)):
            free, bound = term.as_independent(canonical, as_Add=False)
            if bound == 1:
                total.append(free * (b - a + 1))
                continue
            picked = _delta_pick(bound, canonical, a, b, oracle, inner_env)
            total.append(free * (picked if picked is not None else sp.Sum(bound, (canonical, a, b))))
        return sp.Add(*total)
    return expr.func(*[linear_sums(a, oracle, depth, env) for a in expr.args])


def _rewrite_log_arguments(expr: sp.Expr, rewrite) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.log) and len(e.args) == 1,
                        lambda e: sp.log(rewrite(e.args[0])))


def _expand(expr, oracle):
    return sp.expand(unfold_definitions(expr))


def _logs_and_sums(expr, oracle):
    expr = split_logs(unfold_definitions(expr), oracle)
    return sp.expand(linear_sums(sp.expand(expr), oracle))


def _logs_of_expanded_arguments(expr, oracle):
    return _logs_and_sums(_rewrite_log_arguments(unfold_definitions(expr), sp.expand), oracle)


def _logs_of_combined_arguments(expr, oracle):
    return _logs_and_sums(_rewrite_log_arguments(unfold_definitions(expr), sp.together), oracle)


def _simplify(expr, oracle):
    return sp.simplify(_logs_and_sums(expr, oracle))


NORMAL_FORMS = {
    "expand": _expand,
    "logs and sums": _logs_and_sums,
    "logs of expanded arguments": _logs_of_expanded_arguments,
    "logs of combined arguments": _logs_of_combined_arguments,
    "simplify": _simplify,
}
