"""Probability laws, expectations over them, and the one table of their known moments.

``Expectation(body, (X, law), ...)`` is 𝔼[body] with ``X`` drawn from ``law``: it binds ``X``
(a ``BoundIndex`` for a discrete law, a ``BoundReal`` for a continuous one), so the declared
random variable of the same name is never confused with it.  Several variables in one
expectation, or expectations nested in each other, are independent (a product law).

What each law says is kept here and nowhere else: its parameters' conditions, its support, its
raw moments E[X^k] (``MOMENTS``), its density (``density``) and, for a law on finitely many
values, its expectation as a finite sum (the law of the unconscious statistician).  An
``Arbitrary`` law is a declared random variable of unknown law with finite moments of every
order: its moments stay unevaluated.
"""

from __future__ import annotations

import sympy as sp

MAX_MOMENT = 12  # E[X^k] from the table for k up to this


class Law(sp.Expr):
    """A probability law with its parameters: a part of an expectation, never a value."""

    parameters: tuple[str, ...] = ()
    discrete = False

    def __new__(cls, *args):
        if len(args) != len(cls.parameters):
            raise TypeError(f"{cls.__name__} takes {len(cls.parameters)} parameter(s)")
        return sp.Expr.__new__(cls, *[sp.S(a) if not isinstance(a, sp.Basic) else a
                                      for a in args])

    is_commutative = True


class Normal(Law):
    """N(mu, sigma²): ``sigma`` is the standard deviation."""
    parameters = ("mu", "sigma")


class Laplace(Law):
    """Laplace(mu, b): density exp(-|x - mu|/b)/(2b)."""
    parameters = ("mu", "b")


class Exponential(Law):
    """Exponential(lam): density lam·exp(-lam·x) on x > 0."""
    parameters = ("lam",)


class Uniform(Law):
    """Uniform(a, b) on a < x < b."""
    parameters = ("a", "b")


class Bernoulli(Law):
    """Bernoulli(p) on {0, 1}: P(X = 1) = p."""
    parameters = ("p",)
    discrete = True


class Poisson(Law):
    """Poisson(lam) on {0, 1, 2, ...}."""
    parameters = ("lam",)
    discrete = True


class Categorical(Law):
    """Categorical(q, K) on {1, ..., K}: P(X = k) = q[k] / Σ_j q[j], for weights q[k] >= 0
    (normalised here, so that no unstated Σ q = 1 is ever assumed)."""
    parameters = ("q", "K")
    discrete = True


class Arbitrary(Law):
    """An unknown law with finite moments of every order, named by its random variable."""
    parameters = ("name",)

    def __new__(cls, name):
        label = name if isinstance(name, sp.Symbol) else sp.Symbol(f"_law_{name}")
        return sp.Expr.__new__(cls, label)

    @property
    def free_symbols(self):  # its name is a label, not a quantity
        return set()


LAWS = {law.__name__: law for law in (Normal, Laplace, Exponential, Uniform, Bernoulli, Poisson,
                                      Categorical)}


def parameter_conditions(law: Law) -> list[tuple[sp.Expr, str]]:
    """What a declaration must prove of the parameters: (expression, "positive" or
    "nonnegative" or "at most 1"), each a condition without which the law is no law."""
    if isinstance(law, Normal):
        return [(law.args[1], "positive")]
    if isinstance(law, Laplace):
        return [(law.args[1], "positive")]
    if isinstance(law, (Exponential, Poisson)):
        return [(law.args[0], "positive")]
    if isinstance(law, Uniform):
        return [(law.args[1] - law.args[0], "positive")]
    if isinstance(law, Bernoulli):
        return [(law.args[0], "nonnegative"), (1 - law.args[0], "nonnegative")]
    if isinstance(law, Categorical):
        return [(law.args[1], "positive")]
    return []


def support(law: Law) -> tuple[bool, sp.Expr, sp.Expr, bool, bool]:
    """(integer, lower, upper, lower open, upper open): where the law's values lie."""
    oo = sp.S.Infinity
    if isinstance(law, Exponential):
        return False, sp.S.Zero, oo, True, True
    if isinstance(law, Uniform):
        return False, law.args[0], law.args[1], True, True
    if isinstance(law, Bernoulli):
        return True, sp.S.Zero, sp.S.One, False, False
    if isinstance(law, Poisson):
        return True, sp.S.Zero, oo, False, True
    if isinstance(law, Categorical):
        return True, sp.S.One, law.args[1], False, False
    return False, -oo, oo, True, True  # Normal, Laplace, Arbitrary (real)


def _central_even(k: int, central) -> sp.Expr:
    return central(k) if k % 2 == 0 else sp.S.Zero


def _shifted(k: int, mu, central) -> sp.Expr:
    """E[X^k] for X = mu + Y, from E[Y^j] (Y symmetric: odd moments 0)."""
    return sp.Add(*[sp.binomial(k, j) * mu ** (k - j) * _central_even(j, central)
                    for j in range(k + 1)])


MOMENTS = {
    # E[X^k] = Σ_j C(k, j) μ^(k-j) E[(X-μ)^j]; E[(X-μ)^j] = σ^j (j-1)!! for even j
    Normal: lambda k, mu, sigma: _shifted(k, mu, lambda j: sigma ** j * sp.factorial2(j - 1)),
    # the centred Laplace law: E[Y^j] = j! b^j for even j
    Laplace: lambda k, mu, b: _shifted(k, mu, lambda j: sp.factorial(j) * b ** j),
    Exponential: lambda k, lam: sp.factorial(k) / lam ** k,
    Uniform: lambda k, a, b: (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a)),
    Bernoulli: lambda k, p: sp.S.One if k == 0 else p,
    # Touchard: E[X^k] = Σ_j S(k, j) λ^j
    Poisson: lambda k, lam: sp.Add(*[sp.functions.combinatorial.numbers.stirling(k, j) * lam ** j
                                     for j in range(k + 1)]),
}
"""E[X^k], k = 0, 1, ..., MAX_MOMENT, for each law with a closed form (Categorical is a sum)."""


def moment(law: Law, k: int) -> sp.Expr | None:
    """E[X^k] under ``law`` from the table, or None (an unknown law, or k out of range)."""
    formula = MOMENTS.get(type(law))
    if formula is None or not 0 <= k <= MAX_MOMENT:
        return None
    return sp.S(formula(k, *law.args))


def finite_sum(law: Law, body: sp.Expr, variable: sp.Symbol) -> sp.Expr | None:
    """E[body] as the finite sum over the values of ``variable`` (an integer bound variable),
    for a law on finitely many values; None for any other law."""
    if isinstance(law, Bernoulli):
        p = law.args[0]
        return (1 - p) * body.xreplace({variable: sp.S.Zero}) + p * body.xreplace({variable: sp.S.One})
    if isinstance(law, Categorical):
        q, size = law.args
        weights = sp.Sum(q[variable], (variable, 1, size))
        return sp.Sum(q[variable] * body, (variable, 1, size)) / weights
    return None


def density(law: Law, t: sp.Expr) -> sp.Expr | None:
    """The density (or mass) at ``t`` of a law with one, as a SymPy expression."""
    if isinstance(law, Normal):
        mu, sigma = law.args
        return sp.exp(-(t - mu) ** 2 / (2 * sigma ** 2)) / sp.sqrt(2 * sp.pi * sigma ** 2)
    if isinstance(law, Laplace):
        mu, b = law.args
        return sp.exp(-sp.Abs(t - mu) / b) / (2 * b)
    if isinstance(law, Exponential):
        return law.args[0] * sp.exp(-law.args[0] * t)
    if isinstance(law, Uniform):
        return 1 / (law.args[1] - law.args[0])
    if isinstance(law, Poisson):
        lam = law.args[0]
        return sp.exp(-lam) * lam ** t / sp.factorial(t)
    return None


class Expectation(sp.Expr):
    """𝔼[body] over independent variables, each drawn from its law: the limits are
    ``(variable, law)``, innermost first as in a ``Sum``."""

    is_commutative = True

    def __new__(cls, body, *limits, **options):
        limits = [sp.Tuple(*limit) for limit in limits]
        if not limits or any(len(limit) != 2 or not isinstance(limit[1], Law) for limit in limits):
            raise TypeError("an expectation takes (variable, law) limits")
        return sp.Expr.__new__(cls, sp.S(body), *limits)

    function = property(lambda self: self.args[0])
    limits = property(lambda self: self.args[1:])
    variables = property(lambda self: [limit[0] for limit in self.limits])

    @property
    def free_symbols(self):
        free = set(self.function.free_symbols)
        for variable, law in self.limits:
            free = (free - {variable}) | law.free_symbols
        return free

    def _sympystr(self, printer) -> str:
        """As a derivation file writes it: E(body), the laws being declared with the names."""
        body = printer._print(self.function)
        if all(v in self.function.free_symbols for v in self.variables):
            return f"E({body})"
        names = [printer._print(v) for v in self.variables]
        return f"E({body}, {names[0] if len(names) == 1 else '(' + ', '.join(names) + ')'})"

    def _eval_is_extended_real(self):
        return self.function.is_extended_real

    def _eval_is_finite(self):
        return None
