"""The trusted kernel: declared domains, relations, sound normal forms, numeric evaluation and the
primitive rules.  Everything outside this package (tactics, catalog, files, rendering) reaches a
verdict only through a ``Judgement`` made by a rule here: a verdict on a ``Statement`` (both
sides, the declarations, the givens cited, the optimised variables and senses), sealed with a
MAC that ``Chain.extend`` checks along with the statement's fit to the chain."""

from .context import (
    NEGATIVE, NONNEGATIVE, POSITIVE, POSITIVE_INTEGER, REAL, Context, ContextError, Domain,
    integer_range, interval,
)
from .definitions import sigmoid, softplus
from .numeric import EvaluationError, Point, evaluate, holds
from .relations import CompositionError, Optimization, Relation, Sense, compose
from .rules import (
    RECALLABLE, Chain, ChainError, Given, Judgement, RuleError, Statement, Verdict,
    assumptions_text, checked_at, checked_at_sizes, refuted_at_sizes,
    equal_by_normal_form, from_lemmas, jensen,
    apply_givens, exact_text, in_domain, order_kept_at, order_reversed_at, ordered_by_bounds, ordered_by_lemma, received, recalled, refuted_at,
    rounds_to,
    same_optimizers_by_monotone_map, undecided,
)
from .equations import (
    equation_refuted_at, equations_of, equivalent_by_combination, equivalent_by_factor,
    equivalent_by_injective_map, equivalent_by_substitution, equivalent_by_summing, holds_at,
    implies_by_factor, index_symbols, is_equation, optimized_where_by_lagrange,
    not_optimizers_at, optimized_where_by_convexity, optimized_where_by_sign_change,
    optimizers_satisfy_stationarity,
)
