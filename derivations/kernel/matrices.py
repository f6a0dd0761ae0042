"""Vectors and matrices: SymPy's matrix expressions, reduced soundly to scalars.

A matrix identity ``A = B`` (both p by q) holds exactly when ``tr(Hᵀ(A - B)) = 0`` for every
p by q matrix H: the difference is paired with a fresh matrix ``_H`` (declared names never
start with "_").  A scalar built from matrices is then lowered to an ordinary SymPy scalar:
every trace is expanded into terms ``coefficient · tr(word)``, each word put in a canonical
form under the sound rules

- distributivity and scalars pulled out; (AB)ᵀ = BᵀAᵀ, (Aᵀ)ᵀ = A, Sᵀ = S for a declared
  symmetric (or positive definite) S, (A⁻¹)ᵀ = (Aᵀ)⁻¹, I·A = A, A·A⁻¹ = A⁻¹·A = I (wherever
  A⁻¹ is defined, as x/x = 1 in ``cancel``);
- tr(MN) = tr(NM) (cyclicity, for any conformable M, N) and tr(M) = tr(Mᵀ);

and each canonical trace becomes one placeholder real symbol (nonnegative when the word is
P·Pᵀ).  Distinct words become independent symbols, which can only lose a proof: an identity
of the placeholders as free reals holds for the actual traces.  A determinant of
c·A₁⋯A_k (square letters of size m) is c^m·det A₁⋯det A_k, det Aᵀ = det A, det A⁻¹ = 1/det A,
the determinant of a positive definite matrix a positive placeholder.  A gradient ∇_w s is
paired through its definition: tr(Kᵀ ∇_w s) = Ds(w)[K], the directional derivative, computed by
the differential rules of ``differential``.  The proof holds for symbolic sizes: nothing here
looks at an entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.matrices.expressions import (
    Determinant, Identity, Inverse, MatAdd, MatMul, MatPow, MatrixExpr, MatrixSymbol, Trace,
    Transpose, ZeroMatrix,
)

from .bounds import BoundsOracle
from .context import Context
from .definitions import unfold_definitions
from .numeric import _decimal


class MatrixFormError(ValueError):
    """A matrix expression outside what the matrix normal form knows (no proof, no error)."""


class Gradient(MatrixExpr):
    """∇_w s: the gradient of a scalar s with respect to a matrix (or vector) w, of w's shape,
    defined by tr(Kᵀ ∇_w s) = Ds(w)[K] for every K."""

    def __new__(cls, scalar, variable):
        if not isinstance(variable, MatrixSymbol):
            raise MatrixFormError("a gradient is taken with respect to a declared matrix")
        return sp.Basic.__new__(cls, sp.S(scalar), variable)

    scalar = property(lambda self: self.args[0])
    variable = property(lambda self: self.args[1])
    shape = property(lambda self: self.args[1].shape)

    def _entry(self, i, j, **kwargs):
        raise MatrixFormError("a gradient has no symbolic entry here")


MAX_ENTRY_ARGUMENTS = 32


def entry(k: int) -> sp.Symbol:
    """In the body of an ``Entrywise`` vector, the i-th entry of its k-th vector (declared names
    never start with "_")."""
    return sp.Symbol(f"_e{k}", real=True)


class Entrywise(MatrixExpr):
    """A column vector of ``rows`` entries whose i-th entry is ``body`` with ``entry(k)`` read
    as the i-th entry of ``vectors[k]``: sigmoid(X w) is Entrywise(sigmoid(_e0), n, (X w,)),
    ones(n) is Entrywise(1, n, ()).  The body may hold scalars that are the same for every
    entry (a normaliser Σ exp(z_j))."""

    def __new__(cls, body, rows, vectors=()):
        return sp.Basic.__new__(cls, sp.S(body), sp.S(rows), sp.Tuple(*vectors))

    body = property(lambda self: self.args[0])
    rows = property(lambda self: self.args[1])
    vectors = property(lambda self: tuple(self.args[2]))
    shape = property(lambda self: (self.args[1], sp.S.One))

    def _entry(self, i, j, **kwargs):
        raise MatrixFormError("an entrywise vector has no symbolic entry here")


class Diag(MatrixExpr):
    """diag(v): the square matrix with the vector v on its diagonal."""

    def __new__(cls, vector):
        return sp.Basic.__new__(cls, vector)

    vector = property(lambda self: self.args[0])
    shape = property(lambda self: (self.args[0].shape[0], self.args[0].shape[0]))

    def _entry(self, i, j, **kwargs):
        raise MatrixFormError("diag(v) has no symbolic entry here")


class Jacobian(MatrixExpr):
    """∂v/∂z of a vector v with respect to a declared vector z (rows of v by rows of z),
    defined by J·c = Dv(z)[c] for every c."""

    def __new__(cls, vector, variable):
        if not isinstance(variable, MatrixSymbol) or variable.shape[1] != 1:
            raise MatrixFormError("a Jacobian is taken with respect to a declared vector")
        return sp.Basic.__new__(cls, vector, variable)

    vector = property(lambda self: self.args[0])
    variable = property(lambda self: self.args[1])
    shape = property(lambda self: (self.args[0].shape[0], self.args[1].shape[0]))

    def _entry(self, i, j, **kwargs):
        raise MatrixFormError("a Jacobian has no symbolic entry here")


def put_entries(body, values: dict):
    """``body`` with its own entry symbols replaced, never those of an entrywise vector
    inside it (a normaliser Σ_j exp(z_j) binds its own): matrix expressions are left whole."""
    if isinstance(body, MatrixExpr):
        return body
    if body in values:
        return values[body]
    if not body.args:
        return body
    return body.func(*[put_entries(a, values) for a in body.args])


def softmax(vector: MatrixExpr) -> Entrywise:
    """softmax(z) = exp(z) / (1ᵀ exp(z)), entry by entry: the one way it is built, so that
    the printer knows it again."""
    rows = vector.shape[0]
    exponentials = Entrywise(sp.exp(entry(0)), rows, (vector,))
    total = Trace(MatMul(Transpose(Entrywise(1, rows)), exponentials))
    return Entrywise(sp.exp(entry(0)) / total, rows, (vector,))


def _entry_letter(letter) -> bool:
    """Letters the word algebra leaves to the entry algebra: entrywise vectors, diag(v),
    Jacobians, and their transposes."""
    if isinstance(letter, Transpose):
        letter = letter.arg
    return isinstance(letter, (Entrywise, Diag, Jacobian))


class Norm(sp.Function):
    """‖v‖, the Euclidean norm of a vector (read as sqrt(vᵀv)); of a matrix A, the Frobenius
    norm ‖A‖_F = sqrt(tr(AᵀA))."""

    nargs = 1
    is_extended_real = True
    is_extended_nonnegative = True

    @classmethod
    def eval(cls, vector):
        return None


def as_scalar(matrix: MatrixExpr) -> sp.Expr:
    """A 1 by 1 matrix as the scalar it is (its trace, printed as the product itself)."""
    return Trace(matrix)


def is_inverse(expr) -> bool:
    """A⁻¹, written inverse(A) or A**-1 (SymPy's ``Inverse`` is a ``MatPow``)."""
    return isinstance(expr, MatPow) and expr.args[1] == -1


def malformed(expr) -> bool:
    """Whether ``expr`` holds an ``Inverse`` whose exponent is not -1: SymPy's own products
    read it as A⁻¹ and its evaluation as a power, so no rule may take it."""
    return isinstance(expr, sp.Basic) and any(
        isinstance(node, Inverse) and node.args[1] != -1 for node in sp.preorder_traversal(expr))


def is_matrix(expr) -> bool:
    return isinstance(expr, MatrixExpr)


def has_matrices(expr) -> bool:
    return isinstance(expr, sp.Basic) and (is_matrix(expr) or any(
        isinstance(node, (MatrixExpr, Norm)) for node in sp.preorder_traversal(expr)))


class Lowering:
    """Matrix expressions in one context lowered to scalars (see the module's docstring)."""

    def __init__(self, context: Context):
        self.context = context
        self.oracle = BoundsOracle(context)  # signs of coefficients, for the kinds of words
        self._lowered: dict = {}  # matrix expression -> its terms: an inverse's matrix is
        # lowered again for each word it is in, and nested inverses would multiply the work

    # -- letters and words -----------------------------------------------------------------
    def _symmetric(self, matrix: MatrixSymbol) -> bool:
        return self.context.structure_of(matrix) in ("symmetric", "positive definite")

    def transposed_letter(self, letter):
        if isinstance(letter, MatrixSymbol):
            return letter if self._symmetric(letter) else Transpose(letter)
        if isinstance(letter, Transpose):
            return letter.arg
        if isinstance(letter, (Identity, Diag)):
            return letter
        if isinstance(letter, Inverse):
            return Inverse(self.rebuild(self.transposed(self.terms(letter.arg)), letter.shape))
        if isinstance(letter, (Gradient, Entrywise, Jacobian)):
            return Transpose(letter)
        raise MatrixFormError(f"no transpose rule for {letter}")

    def transposed(self, terms):
        return [(c, tuple(self.transposed_letter(x) for x in reversed(word))) for c, word in terms]

    @staticmethod
    def _product(first: tuple, second: tuple) -> tuple:
        """Two words multiplied: identities dropped beside other letters, and M·M⁻¹ = M⁻¹·M =
        I where M is one letter or one product of letters (XᵀX)."""
        letters = [x for x in first + second if not isinstance(x, Identity)]
        cancelled = True
        while cancelled:
            cancelled = False
            for k, letter in enumerate(letters):
                if not isinstance(letter, Inverse):
                    continue
                inner = letter.arg
                word = list(inner.args) if isinstance(inner, MatMul) else [inner]
                if any(not is_matrix(x) for x in word):
                    continue  # a product with a scalar factor is not a single word
                size = len(word)
                if letters[k + 1:k + 1 + size] == word:
                    del letters[k:k + 1 + size]
                elif k >= size and letters[k - size:k] == word:
                    del letters[k - size:k + 1]
                else:
                    continue
                cancelled = True
                break
        if letters:
            return tuple(letters)
        size = next(x.shape[0] for x in first + second if x.shape[0] == x.shape[1])
        return (Identity(size),)

    def terms(self, expr) -> list[tuple[sp.Expr, tuple]]:
        """``expr`` as a list of (scalar coefficient, word of letters), collected."""
        if expr not in self._lowered:
            self._lowered[expr] = tuple(self._terms(expr))
        return list(self._lowered[expr])

    def _terms(self, expr) -> list[tuple[sp.Expr, tuple]]:
        if isinstance(expr, MatAdd):
            found = [t for a in expr.args for t in self.terms(a)]
        elif isinstance(expr, MatMul):
            scalar = sp.Mul(*[a for a in expr.args if not is_matrix(a)])
            found = [(scalar, ())]
            for factor in (a for a in expr.args if is_matrix(a)):
                found = [(c1 * c2, self._product(w1, w2))
                         for c1, w1 in found for c2, w2 in self.terms(factor)]
        elif isinstance(expr, (MatrixSymbol, Identity, Gradient, Jacobian)):
            found = [(sp.S.One, (expr,))]
        elif isinstance(expr, Entrywise):
            atoms: dict = {}
            return self._entrywise(self._entries([(sp.S.One, (expr,))], atoms), expr.rows, atoms)
        elif isinstance(expr, Diag):
            inner = self.terms(expr.vector)
            found = [(sp.S.One, (Diag(self.rebuild(inner, expr.vector.shape)),))] if inner else []
        elif isinstance(expr, ZeroMatrix):
            found = []
        elif isinstance(expr, Transpose):
            found = self.transposed(self.terms(expr.arg))
        elif is_inverse(expr):
            found = self._inverse(expr.args[0])
        elif isinstance(expr, MatPow) and expr.args[1].is_Integer and expr.args[1] > 0:
            found = self.terms(MatMul(*[expr.args[0]] * int(expr.args[1])))
        else:
            raise MatrixFormError(f"no matrix rule for {type(expr).__name__}")
        return self.collect(found)

    def _inverse(self, matrix):
        inner = self.terms(matrix)
        if len(inner) == 1:  # (c·L)⁻¹ = c⁻¹·L⁻¹ for one letter L (or I)
            (coefficient, word), = inner
            if len(word) == 1:
                letter = word[0]
                inverse = letter if isinstance(letter, Identity) else \
                    letter.arg if isinstance(letter, Inverse) else Inverse(letter)
                return [(1 / coefficient, (inverse,))]
        return [(sp.S.One, (Inverse(self.rebuild(inner, matrix.shape)),))]

    def collect(self, terms):
        """Like words added up; a coefficient is lowered and expanded, zero ones dropped; a
        sum of vectors one of which is entrywise is one entrywise vector."""
        entrywise = [w[0] for _, w in terms if len(w) == 1 and isinstance(w[0], Entrywise)]
        # a gradient or a Jacobian stays a letter of its own, to be paired by its definition
        derived = [(c, w) for c, w in terms if any(isinstance(getattr(x, "arg", x), (Gradient, Jacobian))
                                                   for x in w)]
        plain = [t for t in terms if t not in derived]
        if entrywise and len(plain) > 1:
            atoms: dict = {}
            terms = self._entrywise(self._entries(plain, atoms), entrywise[0].rows, atoms) + derived
        total: dict[tuple, sp.Expr] = {}
        for coefficient, word in terms:
            total[word] = total.get(word, sp.S.Zero) + coefficient
        self._inverses_cancelled(total)
        found = []
        for word in sorted(total, key=_word_key):
            coefficient = sp.expand(self.scalar(total[word]))
            if coefficient != 0:
                found.append((coefficient, word))
        return found

    def _inverses_cancelled(self, total: dict) -> None:
        """S·(Σ_j s·c_j·P_j)·G⁻¹·T = s·S·T where G = Σ_j c_j·P_j, and S·G⁻¹·(Σ_j s·c_j·P_j)·T =
        s·S·T (wherever G⁻¹ is defined): a product with the inverse of a sum, distributed,
        gathered back, in ``total`` (word -> coefficient).  Each step removes an inverse letter."""
        while any(self._inverse_cancelled(total, word, k)
                  for word in list(total) for k, x in enumerate(word) if is_inverse(x)):
            pass

    def _inverse_cancelled(self, total: dict, word: tuple, k: int) -> bool:
        inverse = word[k]
        inner = [(c, () if isinstance(w[0], Identity) else w)
                 for c, w in self.terms(inverse.args[0])]
        for c0, p0 in inner:
            for keys, rest in (
                    # S·P_j·G⁻¹·T, with word = S·P₀·G⁻¹·T
                    ([word[:k - len(p0)] + p + word[k:] for _, p in inner],
                     word[:k - len(p0)] + word[k + 1:])
                    if len(p0) <= k and word[k - len(p0):k] == p0 else (None, None),
                    # S·G⁻¹·P_j·T, with word = S·G⁻¹·P₀·T
                    ([word[:k + 1] + p + word[k + 1 + len(p0):] for _, p in inner],
                     word[:k] + word[k + 1 + len(p0):]) if word[k + 1:k + 1 + len(p0)] == p0
                    else (None, None)):
                if keys is None or any(key not in total for key in keys):
                    continue
                ratio = total[word] / c0
                if any(sp.cancel(self.scalar(total[key] - ratio * c)) != 0
                       for key, (c, _) in zip(keys, inner)):
                    continue
                for key in keys:
                    del total[key]
                rest = rest or (Identity(inverse.shape[0]),)
                total[rest] = total.get(rest, sp.S.Zero) + ratio
                return True
        return False

    # -- what a matrix is proved to be ---------------------------------------------------------
    def injective(self, matrix) -> bool:
        """M·v = 0 only for v = 0, proved (wherever M has a value): c·L₁⋯L_k with c proved
        nonzero and each letter injective, or a square M proved positive or negative
        definite.  A square injective matrix is invertible."""
        terms = self.terms(matrix)
        if len(terms) == 1:
            coefficient, word = terms[0]
            if (self.oracle.is_positive(coefficient) or self.oracle.is_negative(coefficient)) \
                    and all(self._injective_letter(x) for x in word):
                return True
        if matrix.shape[0] != matrix.shape[1]:
            return False
        return self._definite(terms) or self._definite([(-c, w) for c, w in terms])

    def _injective_letter(self, letter) -> bool:
        """The identity, the inverse of a matrix (invertible wherever it has a value), a
        matrix declared positive definite, invertible or of full column rank, and the
        transpose of a square one of these."""
        if isinstance(letter, (Identity, Inverse)):
            return True
        transposed = isinstance(letter, Transpose)
        if transposed:
            letter = letter.arg
        structure = self.context.structure_of(letter) if isinstance(letter, MatrixSymbol) else ""
        return structure in ("positive definite", "invertible") or (
            structure == "full column rank" and not transposed)

    def _definite(self, terms) -> bool:
        """Σ c·W positive definite: every word W positive semidefinite with c ≥ 0, and one
        of them positive definite with c > 0 (a sum of semidefinite matrices, one definite)."""
        kinds = [(coefficient, self._word_kind(word)) for coefficient, word in terms]
        return bool(kinds) and all(
            kind is not None and self.oracle.bounds(coefficient).nonnegative
            for coefficient, kind in kinds
        ) and any(kind == "definite" and self.oracle.is_positive(coefficient)
                  for coefficient, kind in kinds)

    def _word_kind(self, word: tuple) -> str | None:
        """"definite", "semidefinite" or None (not known): the identity, a matrix declared
        positive definite and the inverse of a positive definite matrix are definite; Qᵀ·Q and
        Qᵀ·A·Q (A definite) are semidefinite, definite where Q is injective."""
        if len(word) == 1:
            letter = word[0]
            if isinstance(letter, Identity) or (
                    isinstance(letter, MatrixSymbol)
                    and self.context.structure_of(letter) == "positive definite") or (
                    isinstance(letter, Inverse) and self._definite(self.terms(letter.arg))):
                return "definite"
            return None
        half = len(word) // 2
        outer = word[len(word) - half:]
        if tuple(self.transposed_letter(x) for x in reversed(outer)) != word[:half]:
            return None
        if len(word) % 2 and self._word_kind((word[half],)) != "definite":
            return None
        return "definite" if all(self._injective_letter(x) for x in outer) else "semidefinite"

    # -- the entry algebra ------------------------------------------------------------------
    def _entries(self, terms, atoms: dict) -> sp.Expr:
        """The i-th entry of the column vector Σ c·word: an entrywise vector's body with its
        vectors' entries put in, any other word a stand-in (kept in ``atoms``)."""
        value = sp.S.Zero
        for coefficient, word in terms:
            if len(word) == 1 and isinstance(word[0], Entrywise):
                vectors = word[0].vectors
                if len(vectors) > MAX_ENTRY_ARGUMENTS:
                    raise MatrixFormError("too many vectors in one entrywise expression")
                inner = {entry(k): self._entries(self.terms(v), atoms) for k, v in enumerate(vectors)}
                value += coefficient * put_entries(word[0].body, inner)
            else:
                value += coefficient * atoms.setdefault(word, sp.Dummy(real=True))
        return value

    def _entrywise(self, body, rows, atoms: dict):
        """The canonical terms of the entrywise vector with entries ``body``: its vectors the
        words of ``atoms`` it uses, in a fixed order; its body unfolded and in lowest terms
        (``cancel``: every exp, log an indeterminate); a factor common to all entries out."""
        body = unfold_definitions(self.scalar(body))
        used = [w for w in sorted(atoms, key=_word_key) if body.has(atoms[w])]
        body = sp.cancel(body.xreplace({atoms[w]: entry(k) for k, w in enumerate(used)}))
        if body == 0:
            return []
        constant, rest = body.as_independent(*[entry(k) for k in range(len(used))], as_Add=False)
        vectors = [self.rebuild([(sp.S.One, w)], None) for w in used]
        return [(constant, (Entrywise(rest, rows, vectors),))]

    def _entry_trace(self, word: tuple) -> sp.Expr:
        """A trace with entrywise letters: split where the product passes through one row
        (tr(b aᵀ M) = aᵀ M b), each 1 by 1 piece a sum over entries or a plain trace."""
        cuts = [k for k in range(len(word)) if word[k - 1].shape[1] == 1]
        if not cuts:
            if len(word) == 1 and isinstance(word[0], Diag):  # tr diag(v) = Σ v_i
                return self._entry_sum(Entrywise(entry(0), word[0].shape[0], (word[0].vector,)))
            raise MatrixFormError("a trace of entrywise factors with no vector to split at")
        rotated = word[cuts[0]:] + word[:cuts[0]]
        ends = [k for k in range(1, len(rotated)) if rotated[k - 1].shape[1] == 1] + [len(rotated)]
        value, start = sp.S.One, 0
        for end in ends:
            value *= self._piece(rotated[start:end])
            start = end
        return value

    def _piece(self, piece: tuple) -> sp.Expr:
        """A 1 by 1 product: r J c = r·Dv[c] for a Jacobian J = ∂v/∂z; r diag(u)⋯ c =
        Σ_i r_i u_i ⋯ c_i; otherwise a plain trace."""
        if not any(_entry_letter(x) for x in piece):
            return self.trace(piece)
        jacobians = [k for k, x in enumerate(piece) if isinstance(getattr(x, "arg", x), Jacobian)]
        if jacobians:
            if len(jacobians) > 1:
                raise MatrixFormError("a product of two Jacobians")
            k = jacobians[0]
            if isinstance(piece[k], Transpose):
                piece = tuple(self.transposed_letter(x) for x in reversed(piece))
                k = len(piece) - 1 - k
            jacobian, row, column = piece[k], piece[:k], piece[k + 1:]
            if not column:
                raise MatrixFormError("a Jacobian with nothing to its right")
            changed = _matrix_differential(jacobian.vector, jacobian.variable, _product(column))
            return self.scalar(Trace(MatMul(*row, changed) if row else changed))
        positions = [k for k, x in enumerate(piece) if _entry_letter(x)]
        row, middle, column = (piece[:positions[0]], list(piece[positions[0]:positions[-1] + 1]),
                               piece[positions[-1] + 1:])
        if isinstance(middle[0], Transpose) and not row:
            factors = [middle.pop(0).arg]
        elif row:
            factors = [_product(tuple(self.transposed_letter(x) for x in reversed(row)))]
        else:
            raise MatrixFormError("an entrywise product with no row vector")
        if middle and isinstance(middle[-1], Entrywise) and not column:
            factors.append(middle.pop())
        elif column:
            factors.append(_product(column))
        else:
            raise MatrixFormError("an entrywise product with no column vector")
        if not all(isinstance(x, Diag) for x in middle):
            raise MatrixFormError("an entrywise product mixed with other factors")
        factors += [x.vector for x in middle]
        rows = factors[0].shape[0]
        return self._entry_sum(Entrywise(sp.Mul(*[entry(k) for k in range(len(factors))]),
                                               rows, factors))

    def _entry_sum(self, vector: Entrywise) -> sp.Expr:
        """Σ_i of the entries of ``vector``, in canonical pieces (``_split_sum``)."""
        total = sp.S.Zero
        for coefficient, (canonical,) in self.terms(vector):
            total += coefficient * self._split_sum(canonical)
        return total

    def _split_sum(self, vector: Entrywise) -> sp.Expr:
        """Σ_i (Σ_k c_k f_k(i))/q = Σ_k (c_k/q) Σ_i f_k(i) when q and the c_k are the same for
        every entry (Σ_i c = rows·c): each Σ_i f_k a placeholder real."""
        entries = [entry(k) for k in range(len(vector.vectors))]
        numerator, denominator = sp.fraction(vector.body)
        if denominator.has(*entries):
            return self._sum_placeholder(vector)
        total = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(numerator)):
            constant, rest = term.as_independent(*entries, as_Add=False)
            if not rest.has(*entries):
                total += constant * rest * vector.rows / denominator
                continue
            for coefficient, (canonical,) in self.terms(Entrywise(rest, vector.rows, vector.vectors)):
                total += constant * coefficient / denominator * self._sum_placeholder(canonical)
        return total

    def _sum_placeholder(self, vector: Entrywise) -> sp.Symbol:
        return placeholder("_sum" + sp.srepr(vector), vector, real=True)

    def _merged_sums(self, value: sp.Expr) -> sp.Expr:
        """Σ_k c_k·Σ_i f_k(i) = Σ_i Σ_k c_k f_k(i) over the same entries, for each term with
        one sum over entries (the c_k the same for every entry): so that sums of equal
        entries cancel however they were grouped."""
        groups: dict = {}
        rest = sp.S.Zero
        terms = sp.Add.make_args(sp.expand(value))
        sums = _placeholders_in(value, Entrywise)  # placeholder -> its entrywise vector
        words = _placeholders_in(value, sp.Tuple)  # placeholder of a plain trace -> its word
        sizes = {vector.rows for vector in sums.values()}
        for term in terms:
            powers = term.as_powers_dict()
            single = [s for s in sums if powers.get(s) == 1]
            traces = [s for s in words if powers.get(s) == 1]
            if len(single) == 1:
                groups.setdefault(sums[single[0]].rows, []).append(
                    MatMul(term / single[0], sums[single[0]]))
                continue
            if not single and len(traces) == 1 and not any(term.has(s) for s in sums):
                products = [(n, self._entry_product(tuple(words[traces[0]]), n)) for n in sizes]
                products = [(n, p) for n, p in products if p is not None]
                if products:
                    groups.setdefault(products[0][0], []).append(
                        MatMul(term / traces[0], products[0][1]))
                    continue
            rest += term
        for parts in groups.values():
            for coefficient, (canonical,) in self.terms(MatAdd(*parts) if len(parts) > 1 else parts[0]):
                rest += coefficient * self._split_sum(canonical)
        return rest

    def _entry_product(self, word: tuple, rows) -> Entrywise | None:
        """tr(word) = Σ_i r_i c_i over ``rows`` entries, where the word, rotated to start
        after its one pass through a single row, passes through ``rows`` between r and c."""
        cuts = [k for k in range(len(word)) if word[k - 1].shape[1] == 1]
        if len(cuts) != 1:
            return None
        rotated = word[cuts[0]:] + word[:cuts[0]]
        for k in range(1, len(rotated)):
            if rotated[k - 1].shape[1] == rows:
                row = _product(tuple(self.transposed_letter(x) for x in reversed(rotated[:k])))
                return Entrywise(entry(0) * entry(1), rows, (row, _product(rotated[k:])))
        return None

    def rebuild(self, terms, shape) -> MatrixExpr:
        """The canonical terms as one matrix expression (the argument of an inverse letter)."""
        if not terms:
            return ZeroMatrix(*shape)
        parts = [MatMul(c, *word) if c != 1 else (MatMul(*word) if len(word) > 1 else word[0])
                 for c, word in terms]
        return parts[0] if len(parts) == 1 else MatAdd(*parts)

    # -- scalars ---------------------------------------------------------------------------
    def scalar(self, expr) -> sp.Expr:
        """A scalar expression with every trace, determinant and norm lowered."""
        if not isinstance(expr, sp.Basic) or not has_matrices(expr):
            return expr
        if is_matrix(expr):
            raise MatrixFormError("a matrix where a scalar is expected")
        if isinstance(expr, Trace):
            return sp.Add(*[c * self.trace(word) for c, word in self.terms(expr.arg)])
        if isinstance(expr, Determinant):
            return self.determinant(expr.arg)
        if isinstance(expr, Norm):
            vector = expr.args[0]
            return sp.sqrt(self.scalar(Trace(MatMul(Transpose(vector), vector))))
        if isinstance(expr, sp.Derivative):
            raise MatrixFormError("a scalar derivative of a matrix expression")
        return expr.func(*[self.scalar(a) for a in expr.args])

    def trace(self, word: tuple) -> sp.Expr:
        if len(word) == 1 and isinstance(word[0], Identity):
            return word[0].shape[0]
        if any(_entry_letter(x) for x in word):
            return self._entry_trace(word)
        gradients = [k for k, x in enumerate(word)
                     if isinstance(x, Gradient) or (isinstance(x, Transpose) and isinstance(x.arg, Gradient))]
        if len(gradients) > 1:
            raise MatrixFormError("a product of two gradients")
        if gradients:
            k = gradients[0]
            if isinstance(word[k], Transpose):  # tr(M) = tr(Mᵀ)
                word = tuple(self.transposed_letter(x) for x in reversed(word))
                k = len(word) - 1 - k
            gradient = word[k]
            rest = word[k + 1:] + word[:k]  # tr(P ∇) with P the rest, rotated
            if rest:
                direction = Transpose(MatMul(*rest)) if len(rest) > 1 else Transpose(rest[0])
            else:
                direction = Identity(gradient.shape[0])
            return self.scalar(differential(gradient.scalar, gradient.variable, direction))
        candidates = []
        transposed = tuple(self.transposed_letter(x) for x in reversed(word))
        for form in (word, transposed):
            candidates += [form[k:] + form[:k] for k in range(len(form))]
        canonical = min(candidates, key=_word_key)
        # the trace of a positive semidefinite matrix (Qᵀ·Q, Qᵀ·A·Q for A ≻ 0) is ≥ 0
        semidefinite = any(self._word_kind(c) is not None for c in candidates)
        assumptions = {"real": True, "nonnegative": True} if semidefinite else {"real": True}
        return placeholder("_tr" + _word_key(canonical), sp.Tuple(*canonical), **assumptions)

    def determinant(self, matrix) -> sp.Expr:
        terms = self.terms(matrix)
        if not terms:
            return sp.S.Zero
        size = matrix.shape[0]
        if len(terms) == 1:
            coefficient, word = terms[0]
            if all(x.shape == (size, size) for x in word):
                value = coefficient**size
                for letter in word:
                    value *= self._letter_determinant(letter)
                return value
        rebuilt = self.rebuild(terms, matrix.shape)
        return placeholder("_det" + sp.srepr(rebuilt), rebuilt, real=True)

    def _letter_determinant(self, letter) -> sp.Expr:
        if isinstance(letter, Identity):
            return sp.S.One
        if isinstance(letter, Transpose):
            return self._letter_determinant(letter.arg)
        if isinstance(letter, Inverse):
            return 1 / self.determinant(letter.arg)
        positive = isinstance(letter, MatrixSymbol) and \
            self.context.structure_of(letter) == "positive definite"
        return placeholder("_det" + _word_key((letter,)), letter,
                           **({"positive": True} if positive else {"real": True}))

    # -- the pairing -----------------------------------------------------------------------
    def lowered(self, expr) -> sp.Expr:
        """A scalar lowered; a matrix M of shape p by q as aᵀ M b for free vectors _a, _b
        (dropped where p or q is 1): 0 exactly when M is."""
        if malformed(expr):
            raise MatrixFormError("an inverse with an exponent other than -1")
        if is_matrix(expr):
            rows, columns = expr.shape
            left = [] if rows == 1 else [Transpose(MatrixSymbol("_a", rows, 1))]
            right = [] if columns == 1 else [MatrixSymbol("_b", columns, 1)]
            expr = Trace(MatMul(*left, expr, *right)) if left or right else Trace(expr)
        return self._merged_sums(self.scalar(expr))


# Each placeholder symbol of a lowered scalar, and what it stands for (its name says it too):
# the lowering reads it to gather sums over entries, a rule to ask whether a lowered scalar
# depends on a variable.  One meaning per name, the same in every context.
_PLACEHOLDERS: dict = {}


def placeholder(name: str, meaning, **assumptions) -> sp.Symbol:
    """The real symbol standing for ``meaning`` (a trace, a sum over entries, a determinant) in
    a lowered scalar; its name is made from ``meaning``, so one meaning is one symbol."""
    symbol = sp.Symbol(name, **assumptions)
    _PLACEHOLDERS[symbol] = meaning
    return symbol


def _placeholders_in(expr, kind) -> dict:
    """The placeholders of ``expr`` standing for a ``kind`` (an ``Entrywise`` vector summed
    over its entries, a ``Tuple``: the word of a trace), with what they stand for."""
    return {s: _PLACEHOLDERS[s] for s in sorted(expr.free_symbols, key=str)
            if isinstance(_PLACEHOLDERS.get(s), kind)}


def depends_on(expr, variables) -> bool:
    """Whether ``expr`` names any of ``variables``, also inside what its placeholders stand for
    (a lowered Σ_i exp(t·x_i) is one symbol that depends on t)."""
    expr = sp.S(expr)
    if any(expr.has(v) for v in variables):
        return True
    return any(depends_on(_PLACEHOLDERS[s], variables)
               for s in expr.free_symbols if s in _PLACEHOLDERS)


def _product(word: tuple) -> MatrixExpr:
    return MatMul(*word) if len(word) > 1 else word[0]


def _word_key(word: tuple) -> str:
    return "(" + ",".join(sp.srepr(x) for x in word) + ")"


# -- differentials -------------------------------------------------------------------------------
def differential(scalar, variable: MatrixSymbol, direction: MatrixExpr) -> sp.Expr:
    """Ds(w)[K]: the derivative of the scalar ``scalar`` at w along K, by the chain rule; a
    scalar node's partial derivatives come from ``sp.diff`` at fresh symbols standing for
    its arguments (named functions unfolded first)."""
    scalar = unfold_definitions(scalar)
    if not _depends(scalar, variable):
        return sp.S.Zero
    if isinstance(scalar, Trace):
        return Trace(_matrix_differential(scalar.arg, variable, direction))
    if isinstance(scalar, Determinant):  # d det A = det A · tr(A⁻¹ dA)
        inner = scalar.arg
        return scalar * Trace(MatMul(Inverse(inner), _matrix_differential(inner, variable, direction)))
    if isinstance(scalar, Norm):  # d‖v‖ = vᵀdv / ‖v‖
        vector = scalar.args[0]
        return Trace(MatMul(Transpose(vector), _matrix_differential(vector, variable, direction))) \
            / scalar
    if isinstance(scalar, (sp.Derivative, sp.Sum, sp.Product, sp.Piecewise)) or not scalar.args:
        raise MatrixFormError(f"no differential rule for {type(scalar).__name__}")
    stand_ins = [sp.Dummy(real=True) for _ in scalar.args]
    local = scalar.func(*stand_ins)
    total = sp.S.Zero
    for stand_in, argument in zip(stand_ins, scalar.args):
        if _depends(argument, variable):
            partial = sp.diff(local, stand_in).xreplace(dict(zip(stand_ins, scalar.args)))
            total += partial * differential(argument, variable, direction)
    return total


def _matrix_differential(matrix, variable, direction) -> MatrixExpr:
    if not _depends(matrix, variable):
        return ZeroMatrix(*matrix.shape)
    if matrix == variable:
        return direction
    if isinstance(matrix, MatAdd):
        return MatAdd(*[_matrix_differential(a, variable, direction) for a in matrix.args])
    if isinstance(matrix, MatMul):
        parts = []
        for k, factor in enumerate(matrix.args):
            if not _depends(factor, variable):
                continue
            changed = _matrix_differential(factor, variable, direction) if is_matrix(factor) \
                else differential(factor, variable, direction)
            parts.append(MatMul(*matrix.args[:k], changed, *matrix.args[k + 1:]))
        return MatAdd(*parts) if len(parts) > 1 else parts[0]
    if isinstance(matrix, Transpose):
        return Transpose(_matrix_differential(matrix.arg, variable, direction))
    if isinstance(matrix, Diag):
        return Diag(_matrix_differential(matrix.vector, variable, direction))
    if isinstance(matrix, Entrywise):  # d f(v₁, …)ᵢ = Σ_k ∂_k f · (dv_k)ᵢ + Σ_s ∂f/∂s · ds
        count = len(matrix.vectors)
        # the scalars the same for every entry (a normaliser) stand in as symbols to differentiate
        stand_ins = {node: sp.Dummy(real=True)
                     for node in unfold_definitions(matrix.body).atoms(Trace, Determinant, Norm)}
        body = unfold_definitions(matrix.body).xreplace(stand_ins)
        back = {symbol: node for node, symbol in stand_ins.items()}
        total = sum((sp.diff(body, entry(k)).xreplace(back) * entry(count + k)
                     for k in range(count)), sp.S.Zero)
        for node, stand_in in stand_ins.items():
            if _depends(node, variable):
                total += sp.diff(body, stand_in).xreplace(back) * differential(node, variable, direction)
        changes = [_matrix_differential(v, variable, direction) for v in matrix.vectors]
        return Entrywise(total, matrix.rows, matrix.vectors + tuple(changes))
    if is_inverse(matrix):
        inverse = Inverse(matrix.args[0])  # d(A⁻¹) = -A⁻¹ dA A⁻¹
        return MatMul(-1, inverse, _matrix_differential(matrix.args[0], variable, direction), inverse)
    if isinstance(matrix, MatPow) and matrix.args[1].is_Integer and matrix.args[1] > 0:
        return _matrix_differential(MatMul(*[matrix.args[0]] * int(matrix.args[1])), variable,
                                    direction)
    raise MatrixFormError(f"no differential rule for {type(matrix).__name__}")


def _depends(expr, variable) -> bool:
    return isinstance(expr, sp.Basic) and expr.has(variable)


# -- concrete sizes ------------------------------------------------------------------------------
class SingularMatrix(ZeroDivisionError):
    """The inverse of an explicit matrix whose determinant is exactly 0: certainly no value."""


def concrete(expr, sizes: dict, matrices: dict, scalars: dict):
    """``expr`` at concrete sizes, with every matrix symbol (by name) an explicit matrix of
    exact rationals and every scalar symbol its value: an explicit matrix or a scalar of closed
    numbers (logarithms, exponentials of rationals), for certified comparison entry by entry."""
    return _Concrete(sizes, matrices, scalars).value(expr)


class _Concrete:
    def __init__(self, sizes, matrices, scalars):
        self.sizes = {k: sp.Integer(v) for k, v in sizes.items()}
        self.matrices, self.scalars = matrices, scalars

    def value(self, e):
        if isinstance(e, MatrixSymbol):
            found = self.matrices[e.name]
            if found.shape != tuple(sp.S(s).xreplace(self.sizes) for s in e.shape):
                raise MatrixFormError(f"{e.name} has the wrong shape at this point")
            return found
        if isinstance(e, sp.Symbol):
            return self.sizes.get(e, self.scalars.get(e, e))
        if isinstance(e, Identity):
            return sp.ImmutableMatrix(sp.eye(int(self.value(e.shape[0]))))
        if isinstance(e, ZeroMatrix):
            return sp.ImmutableMatrix(sp.zeros(*[int(self.value(s)) for s in e.shape]))
        if isinstance(e, Gradient):
            return self._gradient(e)
        if isinstance(e, Jacobian):
            return self._jacobian(e)
        if isinstance(e, Entrywise):
            vectors = [self.value(v) for v in e.vectors]
            rows = int(self.value(e.rows))
            if any(v.shape != (rows, 1) for v in vectors):
                raise MatrixFormError("an entrywise vector of vectors of other sizes")
            return sp.ImmutableMatrix(rows, 1, lambda i, j: self.value(put_entries(
                e.body, {entry(k): v[i, 0] for k, v in enumerate(vectors)})))
        if isinstance(e, Diag):
            return sp.ImmutableMatrix(sp.diag(*self.value(e.vector)))
        if not e.args:
            return e
        args = [self.value(a) for a in e.args]
        if isinstance(e, MatAdd):
            return _immutable(sum(args[1:], args[0]))
        if isinstance(e, MatMul):
            total = args[0]
            for a in args[1:]:
                total = total * a
            return _immutable(total)
        if isinstance(e, Transpose):
            return args[0].T
        if is_inverse(e):
            if args[0].det() == 0:
                raise SingularMatrix("a singular matrix has no inverse")
            return _immutable(args[0].inv())
        if isinstance(e, MatPow):
            return _immutable(args[0] ** int(args[1]))
        if isinstance(e, Trace):
            return args[0].trace()
        if isinstance(e, Determinant):
            return args[0].det()
        if isinstance(e, Norm):
            return sp.sqrt(sum(x**2 for x in args[0]))
        if any(isinstance(a, sp.MatrixBase) for a in args):
            raise MatrixFormError(f"a matrix inside {type(e).__name__}")
        return e.func(*args)

    def _gradient(self, e: Gradient):
        variable = e.variable
        value = self.matrices[variable.name]
        entries = sp.ImmutableMatrix(value.shape[0], value.shape[1],
                                     lambda i, j: sp.Dummy(f"{variable.name}{i}{j}", real=True))
        inner = _Concrete(self.sizes, {**self.matrices, variable.name: entries}, self.scalars)
        scalar = inner.value(e.scalar)
        at = dict(zip(entries, value))
        return sp.ImmutableMatrix(value.shape[0], value.shape[1],
                                  lambda i, j: sp.diff(scalar, entries[i, j]).xreplace(at))


    def _jacobian(self, e: Jacobian):
        variable = e.variable
        value = self.matrices[variable.name]
        entries = sp.ImmutableMatrix(value.shape[0], 1,
                                     lambda i, j: sp.Dummy(f"{variable.name}{i}", real=True))
        inner = _Concrete(self.sizes, {**self.matrices, variable.name: entries}, self.scalars)
        vector = inner.value(e.vector)
        at = dict(zip(entries, value))
        return sp.ImmutableMatrix(vector.shape[0], entries.shape[0],
                                  lambda i, j: sp.diff(vector[i, 0], entries[j, 0]).xreplace(at))


def _immutable(value):
    return sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else value


def structure_holds(structure: str, value: sp.ImmutableMatrix) -> bool:
    """Whether an explicit rational matrix has its declared structure, exactly: symmetric,
    positive definite (Sylvester's criterion: every leading principal minor positive),
    invertible (a nonzero determinant), of full column rank."""
    if not structure:
        return True
    if structure == "invertible":
        return value.shape[0] == value.shape[1] and value.det() != 0
    if structure == "full column rank":
        return value.rank() == value.shape[1]
    if value != value.T:
        return False
    if structure == "positive definite":
        return all(value[:k, :k].det() > 0 for k in range(1, value.shape[0] + 1))
    return True


@dataclass(frozen=True)
class MatrixPoint:
    """Concrete sizes, an explicit matrix of exact rationals for each matrix symbol (by name)
    and a value for each scalar symbol: where a matrix step is evaluated."""

    sizes: dict  # size Symbol -> int
    matrices: dict  # name -> ImmutableMatrix of Rationals
    scalars: dict  # Symbol -> Rational

    def shown(self) -> dict[str, str]:
        shown = {str(k): str(v) for k, v in self.sizes.items()}
        shown.update({str(k): _decimal(v) for k, v in self.scalars.items()})
        for name, value in self.matrices.items():
            rows = ["[" + ", ".join(_decimal(x) for x in value.row(i)) + "]"
                    for i in range(value.rows)]
            shown[name] = "[" + ", ".join(rows) + "]"
        return shown

    def key(self) -> tuple:
        return tuple(sorted(self.shown().items()))
