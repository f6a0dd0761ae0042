"""Entropy in bits, worked: a biased coin and the surprisal of each outcome (entry 13).

The numbers are written as SymPy would not leave them (it evaluates log(0.8, 2) at once), so
the expressions are built unevaluated and each step says how to display it."""

import sympy as sp

from ..kernel import Context, Relation
from .pipeline import Pipeline

ID = "entropy-examples"
CATEGORY = "information theory"

R = sp.Rational


def log2(value):
    return sp.log(value, 2, evaluate=False)


def times(*factors):
    return sp.Mul(*factors, evaluate=False)


def plus(*terms):
    return sp.Add(*terms, evaluate=False)


def surprisal(p):
    return times(-1, log2(p))


def build():
    ctx = Context()
    p, q = R(4, 5), R(1, 5)
    return (
        Pipeline(
            ID, "The entropy of a biased coin in bits", ctx,
            times(-1, plus(times(p, log2(p)), times(q, log2(q)))),
            start_latex=r"-\left(0.8 \log_2 0.8 + 0.2 \log_2 0.2\right)",
            summary=r"A coin that lands heads with probability 0.8. Its entropy $H(0.8, 0.2)$ is "
                    r"the mean surprisal $-\log_2 p$ of the outcomes, in bits: about 0.7219, less "
                    r"than the 1 bit of a fair coin. The surprisals are $-\log_2 0.8 = "
                    r"0.3219\ldots$ and $-\log_2 0.2 = 2.3219\ldots$ bits: the rarer outcome, a "
                    r"quarter as likely, carries exactly two bits more.",
            category=CATEGORY,
        )
        .then(plus(times(p, surprisal(p)), times(q, surprisal(q))),
              r"each outcome's surprisal $-\log_2 p$, weighted by its probability",
              latex=r"0.8 \left(-\log_2 0.8\right) + 0.2 \left(-\log_2 0.2\right)")
        .then(plus(times(p, surprisal(p)), times(q, plus(2, surprisal(p)))),
              r"$0.2 = 0.8/4$, so $-\log_2 0.2 = 2 + (-\log_2 0.8)$: two bits more",
              latex=r"0.8 \left(-\log_2 0.8\right) + 0.2 \left(2 - \log_2 0.8\right)")
        .then(plus(R(2, 5), surprisal(p)), "collect the terms",
              latex=r"0.4 - \log_2 0.8")
        .then(R(7219, 10000), r"evaluate; so $-\log_2 0.8 = 0.3219$ and $-\log_2 0.2 = 2.3219$ to "
                              r"four decimals (0.322 and 2.322 to three), since 0.4 and 2 are "
                              r"exact",
              relation=Relation.APPROX, decimals=4)
        .build()
    )
