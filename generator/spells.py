"""Benefit spells from month-by-month states: the common shape of every social-benefit generator.

Each month a generator says which units (persons or households) are in which category (a benefit kind,
a care type, a paragraph); the tracker turns runs of the same category into spells with a start day
inside their first month and an end day at the end of their last month (open while still running).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OPEN = np.iinfo(np.int32).max  # end day of a spell still running


@dataclass
class Spells:
    unit: np.ndarray
    category: np.ndarray
    start: np.ndarray  # days since epoch
    end: np.ndarray  # days since epoch, OPEN while running
    spell_id: np.ndarray
    attrs: dict[str, np.ndarray]  # recorded at the start of the spell (Gemeinde, address, applicant, …)

    def overlapping(self, first_day: int, last_day: int) -> np.ndarray:
        return np.flatnonzero((self.start <= last_day) & (self.end >= first_day))


@dataclass
class SpellTracker:
    rng: np.random.Generator
    _open_unit: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    _open: dict[str, np.ndarray] = field(default_factory=dict)
    _closed: list[dict[str, np.ndarray]] = field(default_factory=list)
    _next_id: int = 1

    def update(self, first_day: int, last_day: int, units: np.ndarray, categories: np.ndarray,
               **attrs: np.ndarray) -> None:
        """The state at the end of a month: `units` (unique) are in `categories` (> 0); others are not.
        `attrs` (per unit) are kept for spells that start this month."""
        order = np.argsort(units, kind="stable")
        units, categories = units[order], categories[order]
        attrs = {k: v[order] for k, v in attrs.items()}
        pos = np.searchsorted(units, self._open_unit)
        found = pos < len(units)
        same = np.zeros(len(self._open_unit), bool)
        if len(self._open_unit):
            same[found] = (units[pos[found]] == self._open_unit[found]) & (
                categories[pos[found]] == self._open["category"][found])
        if (~same).any():  # ended at the end of the previous month
            closed = {k: v[~same] for k, v in self._open.items()}
            closed["unit"] = self._open_unit[~same]
            closed["end"] = np.full(int((~same).sum()), first_day - 1, np.int32)
            self._closed.append(closed)
        kept_unit = self._open_unit[same]
        kept = {k: v[same] for k, v in self._open.items()}
        is_new = ~np.isin(units, kept_unit)
        n = int(is_new.sum())
        new = {
            "category": categories[is_new],
            "start": (first_day + self.rng.integers(0, last_day - first_day + 1, n)).astype(np.int32),
            "spell_id": np.arange(self._next_id, self._next_id + n, dtype=np.int64),
            **{f"attr_{k}": v[is_new] for k, v in attrs.items()},
        }
        self._next_id += n
        all_units = np.concatenate([kept_unit, units[is_new]])
        order = np.argsort(all_units, kind="stable")
        self._open_unit = all_units[order]
        self._open = {k: np.concatenate([kept.get(k, np.empty(0, v.dtype)), v])[order] for k, v in new.items()}

    def open_spells(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(spell id, start day) of the running spells of `units` (each must have one)."""
        pos = np.searchsorted(self._open_unit, units)
        return self._open["spell_id"][pos], self._open["start"][pos]

    def spells(self) -> Spells:
        still = {k: v for k, v in self._open.items()}
        still["unit"] = self._open_unit
        still["end"] = np.full(len(self._open_unit), OPEN, np.int32)
        parts = [*self._closed, still] if self._open else self._closed
        if not parts:
            empty = np.empty(0, np.int64)
            return Spells(empty, empty, empty, empty, empty, {})
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        order = np.argsort(cols["spell_id"], kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        attrs = {k.removeprefix("attr_"): cols.pop(k) for k in list(cols) if k.startswith("attr_")}
        return Spells(**cols, attrs=attrs)
