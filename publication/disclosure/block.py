"""One independent block of the attack audit, solved on its own — one after the other, or, where the blocks
are large, several at once in threads.

A block is everything the bounds of its hidden cells depend on: its equations (published cells), its
inequalities (`part ≤ whole`) and its targets, over its own columns. Solving it needs nothing else, so the
blocks of an audit are solved in any order, in any thread, with the same result bit for bit: each is the
same HiGHS runs on the same matrices (tests/test_disclosure.py compares threads' findings with one
thread's). HiGHS solves one LP on one core and releases the GIL while it runs (measured: two threads'
solves 1.8 × as fast as one after the other), so threads use every core without a process's start-up,
pickling, or the re-import of the caller's main module that `spawn` and `forkserver` pools need. At Land
scale an audit's blocks are 66 LPs of 10,000–16,000 variables: minutes of solving.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from publication.disclosure.model import Signature
from publication.disclosure.solver import ColdLp, WarmLp

Key = tuple[Signature, str]  # a cell: its quantity and its area
Row = tuple[np.ndarray, np.ndarray]  # a linear expression: its variables or columns, coefficients
EPS = 1e-6
THREADS_ENV = "STICHTAG_AUDIT_THREADS"
# targets × columns of an audit's blocks, summed, from which they are solved in threads: a Land month end's
# audits are millions; the model Kreis's at most ~60,000, where threads gained 5–10 % (within a run's noise)
THREADS_FROM = 200_000
# columns of a block from which its twins are merged before it is solved (merge_twins): a Land block's
# 10,000–16,000 columns are two thirds twins, and a Land month end's audit 1.6–1.85 × as fast merged (measured:
# BENCHMARKS.md); the model Kreis's blocks (at most ~700 columns, few twins) solve in milliseconds either way
# and keep the vertices, and so the suppression pattern, they have
MERGE_FROM = 5_000


@dataclass(frozen=True)
class Target:
    """A hidden cell to bound: its expression over the block's columns, what its constants add, its
    protection and its true value (restricted: never leaves the audit but as a width)."""

    index: int  # the caller's number for it
    columns: np.ndarray
    coefficients: np.ndarray
    offset: float
    protection: int
    truth: float


@dataclass(frozen=True)
class Block:
    n: int  # columns
    eq: list[Row]
    rhs: np.ndarray
    keys: list[Key | None]  # per equation: the published cell of the current release (None: an earlier one)
    assumed: np.ndarray  # per equation: from an earlier Stichtag, true only if it was not revised
    ub: list[Row]
    integral: np.ndarray  # per column: a count (integral)
    targets: list[Target]


@dataclass(frozen=True)
class Bound:
    """The interval an attacker derives for a target, and the published cells it rests on; or why there is
    none (`error`: the model contradicts the published cells)."""

    index: int
    low: float = math.nan
    high: float = math.nan
    basis: tuple[Key | None, ...] = ()
    error: str | None = None


def _matrix(rows: list[Row], n: int):
    """The rows over the block's columns, zero coefficients left out."""
    from scipy.sparse import csr_matrix

    columns = np.concatenate([r[0] for r in rows])
    data = np.concatenate([r[1] for r in rows])
    ri = np.repeat(np.arange(len(rows)), [len(r[0]) for r in rows])
    nonzero = data != 0
    return csr_matrix((data[nonzero].tolist(), (ri[nonzero].tolist(), columns[nonzero].tolist())),
                      shape=(len(rows), n))


class Constraints:
    """The equations and inequalities of one block, as matrices over its columns."""

    def __init__(self, block: Block, eq_rows: list[int]) -> None:
        self.keys = [block.keys[r] for r in eq_rows]
        self.a_eq = _matrix([block.eq[r] for r in eq_rows], block.n) if eq_rows else None
        self.b_eq = block.rhs[eq_rows] if eq_rows else None
        self.a_ub = _matrix(block.ub, block.n) if block.ub else None
        self.b_ub = np.zeros(len(block.ub)) if block.ub else None
        self.n = block.n
        self.warm: WarmLp | None = None  # each built on its first objective
        self.cold: ColdLp | None = None

    def bounds(self, c: np.ndarray, offset: float, k: int, integral: np.ndarray,
               truth: float) -> tuple[float, float, set[Key | None]] | None:
        """(low, high, the published cells the bounds rest on) of c·x + offset; None if the rows contradict.
        The warm-started solver's bounds (solver.py) settle a cell that passes: wide enough, the truth inside
        (its basis is not needed then). Any other cell is solved again cold, as `linprog` solves it, so
        findings, the cells they rest on and every error are exactly the cold solver's."""
        if self.warm is None:
            self.warm = WarmLp(self.a_eq, self.b_eq, self.a_ub, self.b_ub, self.n)
        warm = self.warm.bounds(c)
        if warm is not None:
            lo, hi = self.integer_bounds(warm[0] + offset, warm[1] + offset, c, offset, k, integral)
            if hi - lo >= k - EPS and lo - EPS <= truth <= hi + EPS:
                return lo, hi, set()
        if self.cold is None:
            self.cold = ColdLp(self.a_eq, self.b_eq, self.a_ub, self.b_ub, self.n)
        lo_res, hi_res = self.cold.minimum(c), self.cold.minimum(-c)
        if lo_res.status == 2 or hi_res.status == 2:
            return None
        lo = lo_res.fun + offset if lo_res.status == 0 else -math.inf
        hi = -hi_res.fun + offset if hi_res.status == 0 else math.inf
        lo, hi = self.integer_bounds(lo, hi, c, offset, k, integral)
        basis: set[Key | None] = set()
        for res in (lo_res, hi_res):
            if res.status == 0 and res.eq_marginals is not None:
                basis |= {self.keys[j] for j, m in enumerate(res.eq_marginals) if abs(m) > 1e-9}
        return lo, hi, basis

    def integer_bounds(self, lo: float, hi: float, c: np.ndarray, offset: float, k: int,
                       integral: np.ndarray) -> tuple[float, float]:
        """The LP bounds, narrowed by the mixed-integer programme where counts are integral. The LP interval
        contains the integer one: only a pass whose integer hull may be narrower than k is worth the MILP."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        if (hi - lo >= k - EPS and integral.any() and math.isfinite(lo) and math.isfinite(hi)
                and math.floor(hi + EPS) - math.ceil(lo - EPS) < k + 1):
            cons = [LinearConstraint(self.a_eq, self.b_eq, self.b_eq)] if self.a_eq is not None else []
            if self.a_ub is not None:
                cons.append(LinearConstraint(self.a_ub, -np.inf, self.b_ub))
            for sign in (1, -1):
                res = milp(sign * c, constraints=cons, integrality=integral, bounds=Bounds(0, np.inf))
                if res.status == 0:
                    if sign == 1:
                        lo = max(lo, res.fun + offset)
                    else:
                        hi = min(hi, -res.fun + offset)
        return lo, hi


def merge_twins(block: Block) -> Block:
    """The block with its twin columns summed into one: columns that no equation, inequality or target tells
    apart (the same coefficient in each, and both counts or both not). With x ≥ 0 every bound stays exact, the
    integer ones too (a sum of twins takes any value ≥ 0 that one twin takes, and integral values split into
    integral ones), and the twins' dual constraints are one and the same, so the optimal duals are those of the
    block as it was — a solver may end on another optimal vertex among them, naming other published cells,
    which are as much a reason for the bound. A Land block of 10,878 columns has 3,552 distinct ones; the model
    Kreis's blocks have few twins."""
    rows = [*block.eq, *block.ub, *((t.columns, t.coefficients) for t in block.targets)]
    if not rows:
        return block
    by_column = _matrix(rows, block.n).tocsc()
    by_column.sort_indices()
    ptr, index, data = by_column.indptr, by_column.indices, by_column.data
    classes: dict[tuple[int, bytes, bytes], int] = {}
    twin = np.fromiter((classes.setdefault((int(block.integral[j]), index[ptr[j]:ptr[j + 1]].tobytes(),
                                            data[ptr[j]:ptr[j + 1]].tobytes()), len(classes))
                        for j in range(block.n)), dtype=np.int64, count=block.n)
    if len(classes) == block.n:
        return block

    def merged(row: Row) -> Row:
        columns, first = np.unique(twin[row[0]], return_index=True)  # twins share their coefficient
        return columns, row[1][first]

    integral = np.zeros(len(classes), dtype=block.integral.dtype)
    integral[twin] = block.integral
    return Block(n=len(classes), eq=[merged(r) for r in block.eq], rhs=block.rhs, keys=block.keys,
                 assumed=block.assumed, ub=[merged(r) for r in block.ub], integral=integral,
                 targets=[Target(t.index, *merged((t.columns, t.coefficients)), t.offset, t.protection, t.truth)
                          for t in block.targets])


def solve(block: Block) -> list[Bound]:
    """Every target's bounds, in the block's order of targets, up to the first that has none (its `error`).
    Earlier Stichtage's cells (`assumed`) that contradict this release, or exclude a target's truth, were
    revised since: they mislead the attacker, and a careful one drops them."""
    if block.n >= MERGE_FROM:
        block = merge_twins(block)
    every = list(range(len(block.eq)))
    certain = [r for r in every if not block.assumed[r]]
    full = Constraints(block, every)
    without_assumed: Constraints | None = None  # built once, and only if an assumption misleads
    out = []
    for t in block.targets:
        c = np.zeros(block.n)
        c[t.columns] = t.coefficients
        bounds = full.bounds(c, t.offset, t.protection, block.integral, t.truth)
        if len(certain) < len(every) and (bounds is None or not bounds[0] - EPS <= t.truth <= bounds[1] + EPS):
            without_assumed = without_assumed or Constraints(block, certain)
            bounds = without_assumed.bounds(c, t.offset, t.protection, block.integral, t.truth)
        if bounds is None:
            return [*out, Bound(t.index, error="the published cells contradict the catalogue's relations")]
        lo, hi, basis = bounds
        if not lo - EPS <= t.truth <= hi + EPS:
            return [*out, Bound(t.index, error="the model excludes the true value of a hidden cell")]
        out.append(Bound(t.index, lo, hi, tuple(basis)))
    return out


def threads() -> int:
    """Threads for a large audit: $STICHTAG_AUDIT_THREADS, else one per core."""
    return max(1, int(os.environ.get(THREADS_ENV) or os.cpu_count() or 1))


def solve_all(blocks: list[Block], workers: int | None = None) -> list[list[Bound]]:
    """Each block's bounds, in the blocks' order: in this thread, or spread over `workers` threads (default
    `threads()`) where the blocks are large."""
    workers = threads() if workers is None else workers
    work = sum(len(b.targets) * b.n for b in blocks)
    if workers < 2 or len(blocks) < 2 or work < THREADS_FROM:
        return [solve(b) for b in blocks]
    # the largest blocks first, so that no thread is left with a big one at the end
    order = sorted(range(len(blocks)), key=lambda i: -len(blocks[i].targets) * blocks[i].n)
    with ThreadPoolExecutor(workers, thread_name_prefix="audit") as pool:
        futures = {i: pool.submit(solve, blocks[i]) for i in order}
        return [futures[i].result() for i in range(len(blocks))]
