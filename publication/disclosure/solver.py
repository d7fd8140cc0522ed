"""Minimum and maximum of many objectives over one set of constraints: HiGHS, warm-started and cold.

The audit bounds every hidden cell of a block over the same constraints: hundreds of LPs with thousands of
variables that differ only in their objective. scipy's `linprog` builds a new HiGHS model for each, solves
it from scratch and then walks every column in Python (a third of its time, measured).

`WarmLp` keeps one HiGHS model per block and starts each objective from the last optimum. An optimum's value
does not depend on where the simplex starts; the optimal vertex, and so the duals, may — and the duals name
the published cells a narrow bound rests on, which secondary suppression hides next (measured: the duals of
warm vertices hid twice the cells). So warm values only clear a cell; every other cell is solved by
`ColdLp`: `linprog(method="highs")` itself — the same model, options, solver run and result checks — minus
its Python walk over the columns, whose bound multipliers the audit never reads. tests/test_disclosure.py
proves both against `linprog` on random systems, the cold one to the bit.

HiGHS is scipy's own build (`scipy.optimize._highspy`, the module `linprog` itself calls), so no second
solver is installed. SciPy is imported where a block is solved, not when the audit's module loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _model(a_eq, b_eq, a_ub, b_ub, n: int):
    """The HighsLp of a_ub·x ≤ b_ub, a_eq·x = b_eq, x ≥ 0 as `linprog` builds it: inequalities first."""
    from scipy.optimize._highspy import _core
    from scipy.sparse import csc_array, vstack

    parts = [(m, lo, hi) for m, lo, hi in ((a_ub, None, b_ub), (a_eq, b_eq, b_eq)) if m is not None]
    lp = _core.HighsLp()
    lp.num_col_ = n
    lp.col_cost_ = np.zeros(n)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, _core.kHighsInf)
    rows = sum(m.shape[0] for m, _, _ in parts)
    lp.num_row_ = rows
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = rows
    if parts:
        a = csc_array(vstack([m for m, _, _ in parts]))
        lp.row_lower_ = np.concatenate([np.full(m.shape[0], -_core.kHighsInf) if lo is None else lo
                                        for m, lo, _ in parts]).astype(float)
        lp.row_upper_ = np.concatenate([hi for _, _, hi in parts]).astype(float)
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data.astype(float)
    else:
        lp.a_matrix_.start_ = np.zeros(n + 1, dtype=np.int32)
    return lp


class WarmLp:
    """min/max c·x subject to a_ub·x ≤ b_ub, a_eq·x = b_eq, x ≥ 0, one HiGHS model for every c."""

    def __init__(self, a_eq, b_eq, a_ub, b_ub, n: int) -> None:
        from scipy.optimize._highspy import _core

        self.core = _core
        self.n = n
        self.highs = _core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(_model(a_eq, b_eq, a_ub, b_ub, n))
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


@dataclass(frozen=True)
class ColdResult:
    """What the audit reads of a `linprog` result: its status (scipy's codes), optimum and equations' duals."""

    status: int
    fun: float
    eq_marginals: np.ndarray | None


def _linprog_options():
    """The HighsOptions `linprog(method="highs")` passes with its defaults, set the way it sets them: the
    options it names that are not None, each only if scipy's own check of it passes."""
    from scipy.optimize._highspy import _core
    from scipy.optimize._highspy._highs_wrapper import check_option

    options = _core.HighsOptions()
    probe = _core._Highs()
    for key, value in (("presolve", "on"), ("highs_debug_level", _core.HighsDebugLevel.kHighsDebugLevelNone),
                       ("log_to_console", False), ("output_flag", False),
                       ("simplex_strategy", _core.simplex_constants.SimplexStrategy.kSimplexStrategyDual)):
        status, _ = check_option(probe, key, value)
        if status == 0:
            setattr(options, key, value)
    return options


class ColdLp:
    """min c·x over the same constraints, solved from scratch for each c exactly as `linprog` does."""

    def __init__(self, a_eq, b_eq, a_ub, b_ub, n: int) -> None:
        from scipy.optimize._highspy import _core

        self.core = _core
        self.lp = _model(a_eq, b_eq, a_ub, b_ub, n)
        self.n_ub = 0 if a_ub is None else a_ub.shape[0]
        self.rhs = np.asarray(self.lp.row_upper_, dtype=float)
        self.lhs = np.asarray(self.lp.row_lower_, dtype=float)
        self.options = _linprog_options()

    def minimum(self, c: np.ndarray) -> ColdResult:
        from scipy.optimize._linprog_highs import _highs_to_scipy_status_message
        from scipy.optimize._linprog_util import _check_result

        core = self.core
        self.lp.col_cost_ = np.asarray(c, dtype=float)
        highs = core._Highs()
        highs.passOptions(self.options)
        if highs.passModel(self.lp) == core.HighsStatus.kError:
            return ColdResult(2, math.nan, None)  # linprog: kModelError → 2
        highs.run()
        model_status = highs.getModelStatus()
        status, message = _highs_to_scipy_status_message(model_status, "")
        if model_status != core.HighsModelStatus.kOptimal:
            return ColdResult(status, math.nan, None)
        solution = highs.getSolution()
        fun = highs.getInfo().objective_function_value
        x = np.array(solution.col_value)
        slack_all = self.rhs - np.array(solution.row_value)
        lam = np.array(solution.row_dual)
        # linprog's own check of the returned point (tolerance 1e-9 as there): a violated bound or equation
        # turns "optimal" into scipy's status 4
        bounds = np.column_stack([np.zeros(len(x)), np.full(len(x), np.inf)])
        status, _ = _check_result(x, fun, status, slack_all[:self.n_ub], slack_all[self.n_ub:], bounds, 1e-9,
                                  message, None)
        return ColdResult(status, fun, lam[self.n_ub:])
