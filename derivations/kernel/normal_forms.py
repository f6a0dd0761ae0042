"""Sound rewrites to a normal form: each returns an expression equal to its input under the
declared domains, so a difference that rewrites to 0 is 0.

No rewrite here uses ``force=True``: a logarithm is split only when the oracle proves its
factors positive, a power comes out of a logarithm only when its base is positive.
The checker picks the order in which they are tried (``checker.EXACT_FORMS``) and stops at the
first that reaches 0.
"""

from __future__ import annotations

import functools
import itertools

import sympy as sp

from .bounds import BoundsOracle
from .definitions import unfold_definitions
from .exact import exact_text
from .expectations import IntegrationRefused, integrate_all, reduce_expectations
from .laws import Expectation
from .matrices import Lowering, MatrixFormError, has_matrices
from .substitution import Fresh, rename_binders, substitute


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


def _canonical_index(depth: int, integer: bool = True) -> sp.Symbol:
    # Declared names cannot start with "_", so these never capture a user's name.  An
    # integral's variable stays real: an integer one would say more than it binds.
    return sp.Symbol(f"_k{depth}", integer=True) if integer else sp.Symbol(f"_k{depth}", real=True)


def fresh_binders(expr: sp.Expr) -> sp.Expr:
    """Every bound index renamed to a new one, used nowhere in ``expr``."""
    fresh = Fresh(expr)
    return rename_binders(expr, lambda depth, index: fresh.index(index))


def _depth_names(expr: sp.Expr) -> sp.Expr:
    return rename_binders(expr, lambda depth, index: _canonical_index(depth, index.is_integer))


def canonical_binders(expr: sp.Expr) -> sp.Expr:
    """Bound indices named by nesting depth, and nested sums over independent ranges in one
    order, so equal sums compare equal whatever their indices were called and in whichever
    order they were written.  Renaming straight to depth names could capture only a name that
    is already a depth name: then fresh dummies first."""
    if any(s.name.startswith("_k") for s in expr.atoms(sp.Symbol)):
        expr = fresh_binders(expr)
    return _depth_names(_exchange_sums(expr))


MAX_EXCHANGED = 4  # nested sums put in order: 4! orders to compare at most


def _exchange_sums(expr: sp.Expr) -> sp.Expr:
    """Nested sums over finite ranges whose bounds do not mention each other's indices, in the
    order whose depth-named form sorts first.  Exchanging such sums is always valid (an infinite
    series may not be exchanged: it need not converge absolutely): each finite sum, even
    over a reversed range (which SymPy defines as minus the sum over the complement), is a
    signed sum over a finite set of indices, and so the nest is one signed sum over a product
    of sets, whatever the order."""
    if not expr.args or not expr.has(sp.Sum):
        return expr
    if not isinstance(expr, sp.Sum):
        return expr.func(*[_exchange_sums(a) for a in expr.args])
    limits, body = list(expr.limits), expr.function
    while isinstance(body, sp.Sum):  # Sum(Sum(f, inner), outer) is Sum(f, inner, outer)
        limits, body = list(body.limits) + limits, body.function
    body = _exchange_sums(body)
    indices = {index for index, _, _ in limits}
    independent = len(indices) == len(limits) and not any(
        (low.free_symbols | high.free_symbols) & indices for _, low, high in limits)
    finite = all(end.is_finite for _, low, high in limits for end in (low, high))  # not oo
    if not (independent and finite) or not 1 < len(limits) <= MAX_EXCHANGED:
        return sp.Sum(body, *limits)
    return min((sp.Sum(body, *order) for order in itertools.permutations(limits)),
               key=lambda candidate: exact_text(_depth_names(candidate)))


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
                return substitute(term / factor, {index: other})
    return None


def linear_sums(expr: sp.Expr, oracle: BoundsOracle, env: dict | None = None):
    """Sums split over their terms, factors free of the index pulled out, sums of constants
    counted over a range proved not reversed, and Kronecker deltas summed out."""
    env = env or {}
    if not expr.has(sp.Sum, sp.Product):
        return expr
    if isinstance(expr, (sp.Sum, sp.Product)):
        *inner, (index, a, b) = expr.limits
        body = type(expr)(expr.function, *inner) if inner else expr.function
        inner_env, _, _ = oracle.enter([(index, a, b)], env)
        body = linear_sums(body, oracle, inner_env)
        if isinstance(expr, sp.Product):
            return sp.Product(body, (index, a, b))
        total = []
        # An empty range sums to 0 and a reversed one is empty (not Karr's negative sum), so
        # b - a + 1 counts the terms only where it is proved >= 0.
        counted = oracle.bounds(b - a + 1, env).nonnegative
        for term in sp.Add.make_args(sp.expand(body)):
            free, bound = term.as_independent(index, as_Add=False)
            if bound == 1 and counted:
                total.append(free * (b - a + 1))
                continue
            picked = _delta_pick(bound, index, a, b, oracle, inner_env)
            total.append(free * (picked if picked is not None else sp.Sum(bound, (index, a, b))))
        return sp.Add(*total)
    return expr.func(*[linear_sums(a, oracle, env) for a in expr.args])


def _rewrite_log_arguments(expr: sp.Expr, rewrite) -> sp.Expr:
    return expr.replace(lambda e: isinstance(e, sp.log) and len(e.args) == 1,
                        lambda e: sp.log(rewrite(e.args[0])))


@functools.lru_cache(maxsize=256)
def _unfold(expr: sp.Expr) -> sp.Expr:
    """Named functions by their definitions, derivatives carried out (sums term by term),
    innermost first.  Only the derivatives: a deep ``doit`` would also try to sum every sum in
    closed form, which is slow and leaves a form the other rewrites do not expect.
    Kept for the next normal form, which starts from the same expression."""
    expr = unfold_definitions(expr)
    if expr.has(sp.Derivative):
        expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit(deep=False))
    return expr


def _differentiated(expr, oracle):
    """``_unfold``, with the logarithms under a derivative split first where that is sound:
    d/dw log Π f = d/dw Σ log f where every factor is proved positive (equal functions of w
    have equal derivatives).  The derivative of a sum of logarithms is short; that of the
    logarithm of a product is a quotient of products, slow to build and to cancel."""
    if expr.has(sp.Derivative) and expr.has(sp.log):
        expr = split_logs(unfold_definitions(expr), oracle)
    return _unfold(expr)


def _expand(expr, oracle):
    return canonical_binders(sp.expand(_differentiated(expr, oracle)))


def _logs_and_sums(expr, oracle):
    expr = split_logs(_differentiated(expr, oracle), oracle)
    return canonical_binders(sp.expand(linear_sums(sp.expand(expr), oracle)))


def _logs_of_expanded_arguments(expr, oracle):
    return _logs_and_sums(_rewrite_log_arguments(_differentiated(expr, oracle), sp.expand), oracle)


def _logs_of_combined_arguments(expr, oracle):
    return _logs_and_sums(_rewrite_log_arguments(_differentiated(expr, oracle), sp.together),
                          oracle)


def _rational(expr, oracle):
    """One fraction in lowest terms, every non-polynomial part (exp, log, a sum) an
    indeterminate: 0 only when the numerator is the zero polynomial, so the expression is 0
    wherever it is defined."""
    return canonical_binders(sp.cancel(_differentiated(expr, oracle)))


def _split_under_a_binder(expr) -> bool:
    """Whether a case split sits inside a sum or a product.  SymPy's ``piecewise_fold`` (and
    ``simplify``, which calls it) would fold it out, moving a condition on the index away from
    the sum that binds it: Σ_j Σ_k [j <= 1 ? x : y] over k ≤ m, j ≤ n would equal the same
    over k ≤ n, j ≤ m."""
    return any(big.has(sp.Piecewise) for big in expr.atoms(sp.Sum, sp.Product))


def _case_by_case(expr, oracle):
    """Case splits folded into one ``Piecewise``, each piece expanded: 0 when every piece is.
    A case split inside a sum is left alone (``_split_under_a_binder``)."""
    unfolded = _unfold(expr)
    if _split_under_a_binder(unfolded):
        return _expand(unfolded, oracle)
    folded = sp.piecewise_fold(unfolded)
    if not isinstance(folded, sp.Piecewise):
        return _expand(folded, oracle)
    return sp.Piecewise(*[(_expand(piece, oracle), condition) for piece, condition in folded.args])


def merge_sums(expr: sp.Expr) -> sp.Expr:
    """The sums of a sum of terms ``c·Σ_L f`` (``c`` free of L's indices) over the same limits
    L made one, ``Σ_L (Σ c·f)``, its summand one fraction in lowest terms: sound for finite
    sums (linear in the summand, with any convention for a reversed range), and what lets
    the terms of two sides cancel when only their sum over one index is equal."""
    groups: dict = {}
    rest = []
    for term in sp.Add.make_args(expr):
        sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
        if len(sums) != 1:
            rest.append(term)
            continue
        (big,) = sums
        coefficient = term / big
        indices = {index for index, _, _ in big.limits}
        if coefficient.free_symbols & indices:
            rest.append(term)
            continue
        groups.setdefault(tuple(big.limits), []).append(coefficient * big.function)
    merged = []
    for limits, bodies in groups.items():
        body = sp.cancel(sp.Add(*bodies))
        if body != 0:
            merged.append(sp.Sum(body, *limits))
    return sp.Add(*rest, *merged)


def _sums_merged(expr, oracle):
    """"logs and sums", then the sums over one range merged, each summand in lowest terms
    (``merge_sums``)."""
    return canonical_binders(merge_sums(_logs_and_sums(expr, oracle)))


def _ranges_not_reversed(expr, oracle: BoundsOracle, env: dict | None = None) -> bool:
    """Whether every sum's and product's range is proved not reversed (last >= first - 1),
    where SymPy's convention for a reversed range (Karr's: Σ_{i=3}^{1} 1 = -1) and the
    lecturers' one (an empty range, Σ = 0) agree."""
    if not expr.has(sp.Sum, sp.Product):
        return True
    if isinstance(expr, (sp.Sum, sp.Product)):
        inner_env, _, not_reversed = oracle.enter(reversed(expr.limits), env)  # outermost first
        return not_reversed and _ranges_not_reversed(expr.function, oracle, inner_env)
    return all(_ranges_not_reversed(a, oracle, env) for a in expr.args)


def _simplify(expr, oracle):
    """SymPy's ``simplify`` after "logs and sums"; not where a case split sits inside a sum
    (``_split_under_a_binder``), nor where a range may be reversed (simplify evaluates sums
    in closed form by Karr's convention)."""
    expr = _logs_and_sums(expr, oracle)
    if _split_under_a_binder(expr) or not _ranges_not_reversed(expr, oracle) \
            or expr.has(sp.Integral, Expectation):  # their forms are "expectations", "integrals"
        return expr
    return sp.simplify(expr)


def _as_written(expr, oracle):
    """The expression itself (definitions unfolded): a factored difference keeps the sign its
    factors show, which expanding would hide."""
    return _unfold(expr)


def _expectations(expr, oracle):
    """Every expectation taken (``expectations.reduce_expectations``: linearity, constants,
    the table of moments, finite sums), its body's logarithms split first, then "logs and
    sums"."""
    return _logs_and_sums(reduce_expectations(split_logs(_unfold(expr), oracle)), oracle)


def _integrals(expr, oracle):
    """"expectations", then every integral (and what is left of an expectation over a
    continuous law, as its integral) by SymPy's integration, each value cross-checked by
    quadrature (``expectations.integrate_exactly``); the expression unchanged where one is
    refused, so that it does not rewrite to 0."""
    expr = split_logs(_unfold(expr), oracle)
    try:
        expr = integrate_all(expr, oracle.context)
    except IntegrationRefused:
        return expr
    return _logs_and_sums(expr, oracle)


def _matrices_lowered(form):
    """``form`` after vectors and matrices are lowered to scalars (``matrices.Lowering``): a
    scalar keeps its value; a matrix M becomes tr(_Hᵀ M), which is 0 exactly when M is, so it
    serves an equality only (the order rules refuse matrices).  An expression the lowering
    does not know is left as it is: no proof, never an error."""
    @functools.wraps(form)
    def lowered(expr, oracle):
        if has_matrices(expr):
            try:
                expr = Lowering(oracle.context).lowered(expr)
            except MatrixFormError:
                return expr
        return form(expr, oracle)
    return lowered


NORMAL_FORMS = {name: _matrices_lowered(form) for name, form in {
    "as written": _as_written,
    "expand": _expand,
    "logs and sums": _logs_and_sums,
    "logs of expanded arguments": _logs_of_expanded_arguments,
    "logs of combined arguments": _logs_of_combined_arguments,
    "rational functions": _rational,
    "sums merged": _sums_merged,
    "case by case": _case_by_case,
    "simplify": _simplify,
    "expectations": _expectations,
    "integrals": _integrals,
}.items()}
