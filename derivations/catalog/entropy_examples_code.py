"""Entropy in bits, worked: a prefix code whose mean length is the entropy (entry 13)."""

import sympy as sp

from ..kernel import Context, Relation
from .entropy_examples import log2, plus, times
from .pipeline import Pipeline

ID = "entropy-examples-code"
CATEGORY = "information theory"

R = sp.Rational
HALF, QUARTER, EIGHTH = R(1, 2), R(1, 4), R(1, 8)


def entropy(*probabilities):
    return times(-1, plus(*[times(p, log2(p)) for p in probabilities]))


def build():
    ctx = Context()
    return (
        Pipeline(
            ID, "A prefix code as long as the entropy", ctx,
            entropy(HALF, QUARTER, EIGHTH, EIGHTH),
            start_latex=r"-\left(\frac{1}{2} \log_2 \frac{1}{2} + \frac{1}{4} \log_2 "
                        r"\frac{1}{4} + \frac{1}{8} \log_2 \frac{1}{8} + \frac{1}{8} "
                        r"\log_2 \frac{1}{8}\right)",
            summary=r"Four outcomes with probabilities $\frac12, \frac14, \frac18, \frac18$ and "
                    r"the prefix code 0, 10, 110, 111. Each codeword is $-\log_2 p$ bits long, so "
                    r"the entropy, 1.75 bits, is the mean code length; each bit of the code is a "
                    r"fair coin flip, which carries $H(\frac12, \frac12) = 1$ bit. The uniform "
                    r"distribution over four outcomes has 2 bits, more (see entropy-maximum).",
            category=CATEGORY,
        )
        .then(plus(times(HALF, 1), times(QUARTER, 2), times(EIGHTH, 3), times(EIGHTH, 3)),
              r"$-\log_2 p$ is the length of the codeword 0, 10, 110, 111: the mean code length",
              latex=r"\frac{1}{2} \cdot 1 + \frac{1}{4} \cdot 2 + \frac{1}{8} \cdot 3 + "
                    r"\frac{1}{8} \cdot 3")
        .then(R(7, 4), "add up: 1.75 bits", latex="1.75")
        .then(times(plus(1, HALF, QUARTER), entropy(HALF, HALF)),
              r"the first bit is always sent, the second with probability $\frac12$, the third "
              r"with probability $\frac14$, and each is a fair coin flip of $H(\frac12, \frac12) ="
              r" 1$ bit",
              latex=r"\left(1 + \frac{1}{2} + \frac{1}{4}\right) \cdot \left(-\left("
                    r"\frac{1}{2} \log_2 \frac{1}{2} + \frac{1}{2} \log_2 \frac{1}{2}"
                    r"\right)\right)")
        .then(2, r"$1.75 < 2 = \log_2 4$", relation=Relation.LT)
        .then(entropy(QUARTER, QUARTER, QUARTER, QUARTER),
              "the entropy of the uniform distribution over four outcomes",
              latex=r"-4 \cdot \frac{1}{4} \log_2 \frac{1}{4}")
        .build()
    )
