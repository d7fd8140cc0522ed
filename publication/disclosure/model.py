"""One linear model of everything a release publishes, as an attacker knows it.

A *quantity* is one side of a KPI (numerator or denominator): a sum of terms over measures, restricted by
age, sex and citizenship. Every quantity is written over *atoms*, the finest cells the catalogue can
tell apart for a measure (age bands cut at every bound any term uses, a sex and a citizenship split where
any term uses one) in each Gemeinde; an Amt or the Kreis is the sum of its Gemeinden. So one published
cell is one linear equation over the atoms, and everything that follows from the catalogue is in the
system at once: the same measure in several KPIs, nested age groups (0–17 = 0–14 + 15–17), balances
(births − deaths beside births), composites (Mindestsicherung = SGB II + Grundsicherung + HLU), the
hierarchy sums, and a numerator recomputed from a published rate and denominator (which the public rows
carry anyway). Parts of a whole that the catalogue declares (`part_of`) add `part ≤ whole` per Gemeinde.

Measures of official statistics and reference data (source `amtlich`, `referenz`) arrive protected by
their offices and are public: in the model they are constants, known where a KPI publishes them alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from kernel.catalogue import Catalogue, Kpi, Term

OWN_LEVELS = ("gemeinde", "amt", "kreis")
EXTERNAL_SOURCES = {"amtlich", "referenz"}

Signature = tuple
Atom = tuple  # (measure, age_from, age_to, sex, german); None = not split on that dimension


def ordered(keys):
    """Cells and quantities in a fixed order (their tuples hold None, which does not compare)."""
    return sorted(keys, key=repr)


def ordered_items(mapping: dict) -> list:
    """A mapping's items in the order of `ordered` on its keys. The same order as sorting the items by their
    repr (no key's repr is a prefix of another's: each is one whole tuple), without a Cell's repr each time."""
    return sorted(mapping.items(), key=lambda item: repr(item[0]))


def signature(terms: tuple[Term, ...]) -> Signature:
    return tuple(sorted(((t.measure, t.factor, t.age_from, t.age_to, t.sex, t.german) for t in terms), key=repr))


@dataclass(frozen=True)
class Hierarchy:
    """Groups of a parent and the Gemeinden it is the sum of (Amt → its Gemeinden, Kreis → all)."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, gemeinden: Iterable) -> Hierarchy:
        amt_children: dict[str, list[str]] = defaultdict(list)
        kreis_children: dict[str, list[str]] = defaultdict(list)
        for g in gemeinden:
            if g.amt_ars:
                amt_children[g.amt_ars].append(g.ags)
            kreis_children[g.kreis_ags].append(g.ags)
        groups = [(amt, tuple(sorted(c))) for amt, c in sorted(amt_children.items())]
        groups += [(kreis, tuple(sorted(c))) for kreis, c in sorted(kreis_children.items())]
        return cls(tuple(groups))

    def members(self, area: str) -> tuple[str, ...]:
        """The Gemeinden an area is the sum of (a Gemeinde: itself)."""
        return self._children.get(area, (area,))

    @cached_property
    def _children(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for parent, children in self.groups:
            out.setdefault(parent, children)  # the first group of a parent, as a scan of `groups` finds it
        return out


def is_external(measure: str, catalogue: Catalogue) -> bool:
    return catalogue.measures[measure].get("source") in EXTERNAL_SOURCES


def counts_persons(measure: str, catalogue: Catalogue) -> bool:
    """A number of persons, households or cases (and so integral and subject to cell suppression)."""
    return catalogue.measures[measure].get("counts", True) and not is_external(measure, catalogue)


def is_protected(sig: Signature, catalogue: Catalogue) -> bool:
    """A count of the district's own systems: every term a count measure with a positive factor."""
    return bool(sig) and all(counts_persons(m, catalogue) and f > 0 for m, f, *_ in sig)


class Atoms:
    """The finest partition of each measure the catalogue's terms can address. A measure that is another
    one on an earlier day (`same_as`: the population a year before) shares that measure's partition, so a
    cell published for the earlier Stichtag addresses the same atoms."""

    def __init__(self, catalogue: Catalogue) -> None:
        def base(measure: str) -> str:
            return (catalogue.measures[measure].get("same_as") or {}).get("measure", measure)

        terms: dict[str, list[Term]] = defaultdict(list)
        for k in catalogue.kpis:
            for t in (*k.numerator, *k.denominator):
                terms[t.measure].append(t)
        group: dict[str, list[Term]] = defaultdict(list)
        for measure, ts in terms.items():
            group[base(measure)] += ts
        self.by_measure: dict[str, list[Atom]] = {}
        for measure in sorted(terms):
            ts = group[base(measure)]
            cuts = sorted({b for t in ts for b in (t.age_from, None if t.age_to is None else t.age_to + 1)
                           if b is not None and b > 0})
            bands = [(lo, None if hi is None else hi - 1) for lo, hi in
                     zip([None, *cuts], [*cuts, None], strict=True)]
            if len(bands) == 1:
                bands = [(None, None)]
            sexes = sorted({t.sex for t in ts if t.sex})
            sex_split: list[str | None] = [*sexes, "rest"] if sexes else [None]
            german_split: list[bool | None] = [True, False] if any(t.german is not None for t in ts) else [None]
            self.by_measure[measure] = [(measure, lo, hi, s, g) for lo, hi in bands
                                        for s in sex_split for g in german_split]

    def of_term(self, t: Term) -> list[Atom]:
        def inside(a: Atom) -> bool:
            _, lo, hi, s, g = a
            lo_ok = t.age_from is None or (lo or 0) >= t.age_from  # ages start at 0
            hi_ok = t.age_to is None or (hi is not None and hi <= t.age_to)
            return lo_ok and hi_ok and (t.sex is None or s == t.sex) and (t.german is None or g == t.german)
        return [a for a in self.by_measure[t.measure] if inside(a)]


@dataclass
class Cell:
    """A quantity in an area: what one numerator or denominator of a published row shows."""

    sig: Signature
    area: str
    truth: float
    kpis: list[tuple[str, str]] = field(default_factory=list)  # (kpi_id, side) rows that show it


@dataclass
class Release:
    """The cells of one release (a Stichtag's public table) with the data the model needs."""

    cells: dict[tuple[Signature, str], Cell]
    expressions: dict[Signature, dict[Atom, float]]  # own atoms only
    constants: dict[Signature, list[tuple[str, float]]]  # external terms: (measure, factor)
    external_values: dict[tuple[str, str], float]  # (measure, area) → published official value
    protected: set[Signature]
    hideable: set[Signature]  # quantities of own data (cells of official statistics stay as delivered)
    assumed: bool = False  # an earlier Stichtag's cells read as this one's (`shifted`): true only if unrevised

    @cached_property
    def ordered_cells(self) -> list[tuple[tuple[Signature, str], Cell]]:
        """The cells in the order of `ordered` on their keys: sorted once, each audit round walks them."""
        return ordered_items(self.cells)


def sides(k: Kpi) -> tuple[tuple[str, tuple[Term, ...]], ...]:
    """The KPI's numerator and denominator, named as the rows' columns."""
    return (("numerator", k.numerator), ("denominator", k.denominator))


def release(rows: list[dict], catalogue: Catalogue, atoms: Atoms) -> Release:
    kpis = {k.id: k for k in catalogue.kpis}
    cells: dict[tuple[Signature, str], Cell] = {}
    expressions: dict[Signature, dict[Atom, float]] = {}
    constants: dict[Signature, list[tuple[str, float]]] = {}
    external_values: dict[tuple[str, str], float] = {}
    protected: set[Signature] = set()
    hideable: set[Signature] = set()
    for r in rows:
        k = kpis.get(r["kpi_id"])
        if k is None or r["gebiet_ebene"] not in OWN_LEVELS:
            continue
        for side, terms in sides(k):
            if not terms or r[side] is None:
                continue
            sig = signature(terms)
            if sig not in expressions:
                expr: dict[Atom, float] = defaultdict(float)
                const = []
                for t in terms:
                    if is_external(t.measure, catalogue):
                        const.append((t.measure, t.factor))
                    else:
                        for a in atoms.of_term(t):
                            expr[a] += t.factor
                expressions[sig], constants[sig] = dict(expr), const
                if is_protected(sig, catalogue):
                    protected.add(sig)
                if expr:
                    hideable.add(sig)
            cell = cells.setdefault((sig, r["gebiet_id"]), Cell(sig, r["gebiet_id"], float(r[side])))
            cell.kpis.append((k.id, side))
            if len(terms) == 1 and is_external(terms[0].measure, catalogue) and terms[0].age_from is None \
                    and terms[0].age_to is None and terms[0].sex is None and terms[0].german is None:
                external_values[(terms[0].measure, r["gebiet_id"])] = float(r[side]) / terms[0].factor
    return Release(cells, expressions, constants, external_values, protected, hideable)


def years_before(catalogue: Catalogue) -> dict[int, dict[str, str]]:
    """Per distance in years, which measure of that earlier Stichtag each `same_as` measure repeats."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for name, spec in sorted(catalogue.measures.items()):
        if spec.get("same_as"):
            out[spec["same_as"]["years_before"]][spec["same_as"]["measure"]] = name
    return dict(out)


def shifted(rel: Release, rename: dict[str, str], atoms: Atoms) -> Release:
    """An earlier Stichtag's release as an attacker reads it into this one: its cells over the measures this
    Stichtag repeats (the population a year before is last year's published population), renamed onto this
    Stichtag's atoms. Cells over anything else, or over official constants, say nothing about this Stichtag."""
    cells, expressions = {}, {}
    for key, cell in rel.cells.items():
        expr = rel.expressions.get(cell.sig)
        if not expr or rel.constants[cell.sig] or not all(a[0] in rename for a in expr):
            continue
        renamed = {(rename[a[0]], *a[1:]): c for a, c in expr.items()}
        if not all(a[0] in atoms.by_measure and a in atoms.by_measure[a[0]] for a in renamed):
            continue
        cells[key], expressions[cell.sig] = cell, renamed
    return Release(cells, expressions, {s: [] for s in expressions}, {}, set(), set(), assumed=True)
