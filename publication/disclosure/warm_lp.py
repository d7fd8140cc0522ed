"""Minimum and maximum of many objectives over one set of constraints, HiGHS warm-started.

The audit bounds every hidden cell of a block over the same constraints: hundreds of LPs with thousands of
variables that differ only in their objective. scipy's `linprog` builds a new HiGHS model for each, solves
it from scratch and then walks every column in Python (a third of its time, measured). Here one HiGHS model
per block keeps its basis, and each objective starts from the last optimum.

An optimum's value does not depend on where the simplex starts; the optimal vertex, and so the duals, may.
So the audit takes warm values only to clear a cell (wide enough, after the integer programme where counts
are small, and the truth inside) and solves everything else cold with `linprog`, exactly as before: findings
and the cells they rest on are the cold solver's. HiGHS is scipy's own build (`scipy.optimize._highspy`,
the module `linprog` itself calls), so no second solver is installed; tests/test_disclosure.py compares both
on random systems.
"""

from __future__ import annotations

import numpy as np


class WarmLp:
    """min/max c·x subject to a_ub·x ≤ b_ub, a_eq·x = b_eq, x ≥ 0, one HiGHS model for every c."""

    def __init__(self, a_eq, b_eq, a_ub, b_ub, n: int) -> None:
        from scipy.optimize._highspy import _core  # SciPy's start-up, paid where a block is solved
        from scipy.sparse import csc_array, vstack

        self.core = _core
        parts = [(m, lo, hi) for m, lo, hi in ((a_ub, None, b_ub), (a_eq, b_eq, b_eq)) if m is not None]
        lp = _core.HighsLp()
        lp.num_col_ = n
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, _core.kHighsInf)
        if parts:
            a = csc_array(vstack([m for m, _, _ in parts]))
            lp.num_row_ = a.shape[0]
            lp.row_lower_ = np.concatenate([np.full(m.shape[0], -_core.kHighsInf) if lo is None else lo
                                            for m, lo, _ in parts]).astype(float)
            lp.row_upper_ = np.concatenate([hi for _, _, hi in parts]).astype(float)
            lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
            lp.a_matrix_.num_col_ = n
            lp.a_matrix_.num_row_ = a.shape[0]
            lp.a_matrix_.start_ = a.indptr
            lp.a_matrix_.index_ = a.indices
            lp.a_matrix_.value_ = a.data.astype(float)
        self.n = n
        self.highs = _core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.columns = np.arange(n, dtype=np.int32)

    def minimum(self, c: np.ndarray) -> float | None:
        """min c·x, or None where it is not a finite optimum (infeasible, unbounded, a solver failure)."""
        self.highs.changeColsCost(self.n, self.columns, np.asarray(c, dtype=float))
        self.highs.run()
        if self.highs.getModelStatus() != self.core.HighsModelStatus.kOptimal:
            self.highs.clearSolver()  # the next objective starts cold rather than from a failed state
            return None
        return self.highs.getInfo().objective_function_value

    def bounds(self, c: np.ndarray) -> tuple[float, float] | None:
        """(min, max) of c·x, or None where either is not a finite optimum."""
        lo = self.minimum(c)
        hi = None if lo is None else self.minimum(-c)
        return None if hi is None else (lo, -hi)
