"""Group operations of the month-by-month simulation, which runs them on every resident ~140 times: the
results of `np.unique`, `np.isin` and `np.lexsort` where those sort more than the question needs (the
simulation's households: 60 → 15 ms a month for the groups, 90 → 10 ms for each household's oldest)."""

from __future__ import annotations

import numpy as np


def groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`np.unique(keys, return_index=True, return_inverse=True)` from one unstable sort: a key's first index
    is the smallest index among its equal keys, whatever order the sort left them in."""
    if len(keys) == 0:
        return np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(keys)
    ordered = keys[order]
    start = np.empty(len(keys), bool)
    start[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    inverse = np.empty(len(keys), np.intp)
    inverse[order] = np.cumsum(start) - 1
    return ordered[starts], np.minimum.reduceat(order, starts), inverse


def in_sorted(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """`np.isin(values, sorted_unique)` where the second array is sorted and unique (the households a benefit
    had last month are a selection of last month's sorted groups)."""
    if len(sorted_unique) == 0:
        return np.zeros(len(values), bool)
    pos = np.minimum(np.searchsorted(sorted_unique, values), len(sorted_unique) - 1)
    return sorted_unique[pos] == values


def first_of_greatest(inverse: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per group (`inverse` from `groups`, `n` groups), the smallest index among its members with the greatest
    value: each group's first element in `np.lexsort((-values, inverse))` order."""
    greatest = np.full(n, np.iinfo(np.int64).min, np.int64)
    np.maximum.at(greatest, inverse, values.astype(np.int64))
    candidates = np.flatnonzero(values == greatest[inverse])
    first = np.full(n, len(inverse), np.intp)
    np.minimum.at(first, inverse[candidates], candidates)
    return first
