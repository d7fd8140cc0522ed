"""The publication suites (expectations/*.yml) as DuckDB SQL over the tables a build is about to publish.

Each expectation is one aggregate per Stichtag over a table of the build database, so checking a window costs
a scan, not Great Expectations' import and pandas engine on every run (≈ 4 s of each job run that publishes,
measured: BENCHMARKS.md). The expectations keep their Great Expectations names, arguments and semantics —
nulls pass except for not null, `mostly` is the share of non-null rows that must pass, a `where:` selects
the rows — and tests/test_quality.py proves each suite's results equal Great Expectations' own on the same
tables, passing and failing. Unlike one validation over the whole window, each Stichtag is judged on its
own rows: its version's checks do not depend on which other Stichtage were built with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from publication.raw_gates import UnsupportedExpectation, checked_columns, literal, violation
from sources.anonymise import q

ORDERED_COLUMNS = "expect_table_columns_to_match_ordered_list"
SHOWN_VALUES, SHOWN_AREAS = 3, 8


class WhereError(ValueError):
    """A suite's `where:` uses a form this module does not know."""


@dataclass(frozen=True)
class TableResult:
    failing_days: frozenset[dt.date]
    detail: str


def where_sql(where: dict | None) -> str:
    """A suite's `where:` (column → value, [values], {nicht: value or [values]} or {ab: number}; all must hold)
    as a predicate. A null never matches a value or a bound and always matches `nicht`, as pandas compares."""
    if not where:
        return "true"
    parts = []
    for column, wanted in where.items():
        c = q(column)
        if isinstance(wanted, list):
            parts.append(f"coalesce({c} in ({', '.join(map(literal, wanted))}), false)")
        elif isinstance(wanted, dict) and set(wanted) == {"ab"}:
            parts.append(f"coalesce({c} >= {literal(wanted['ab'])}, false)")
        elif isinstance(wanted, dict) and set(wanted) == {"nicht"}:
            unwanted = wanted["nicht"] if isinstance(wanted["nicht"], list) else [wanted["nicht"]]
            parts.append(f"coalesce({c} not in ({', '.join(map(literal, unwanted))}), true)")
        elif isinstance(wanted, dict):
            raise WhereError(f"where {column}: only {{nicht: …}} and {{ab: …}} are known")
        else:
            parts.append(f"coalesce({c} = {literal(wanted)}, false)")
    return " and ".join(parts)


def _counted(kind: str, kwargs: dict) -> str:
    """The rows an expectation judges (its denominator for `mostly`): Great Expectations leaves out nulls,
    a pair only when both are null, and counts every row for not null."""
    if kind == "expect_column_values_to_not_be_null":
        return "true"
    return " or ".join(f"{q(c)} is not null" for c in checked_columns(kwargs))


def evaluate(con: duckdb.DuckDBPyConnection, table: str, days: list[dt.date],
             expectations: list[tuple[str, dict, dict | None]]) -> list[TableResult]:
    """One result per expectation (type, filled kwargs, where) over `table`: the Stichtage it fails on (every
    day of the build for a table without a `stichtag` column, or for a wrong column list)."""
    columns = [r[0] for r in con.execute(f"describe {q(table)}").fetchall()]
    per_day = "stichtag" in columns
    every = frozenset(days)
    results: dict[int, TableResult] = {}
    aggregates: list[tuple[int, str, str, str, str, float | None]] = []  # n, where, violation, judged, shown, mostly
    for n, (kind, kwargs, where) in enumerate(expectations):
        if kind == ORDERED_COLUMNS:
            if set(kwargs) != {"column_list"}:
                raise UnsupportedExpectation(f"{kind} ({sorted(set(kwargs) - {'column_list'})})")
            ok = columns == list(kwargs["column_list"])
            results[n] = TableResult(frozenset() if ok else every, "ok" if ok else f"beobachtet: {columns}")
            continue
        kwargs = dict(kwargs)
        mostly = kwargs.pop("mostly", None)
        predicate = violation(kind, kwargs)  # an unknown type or argument fails loudly
        if missing := [c for c in checked_columns(kwargs) if c not in columns]:
            results[n] = TableResult(every, f"Fehler: Spalte {missing[0]!r} fehlt in {table}")
            continue
        shown = (f"[{q(kwargs['column_A'])}, {q(kwargs['column_B'])}]" if "column_A" in kwargs
                 else q(kwargs["column"]))
        aggregates.append((n, f"({where_sql(where)})", predicate, _counted(kind, kwargs), shown, mostly))
    if aggregates:
        day = "stichtag" if per_day else "null::date"
        area = "gebiet_id" if "gebiet_id" in columns else "null::varchar"
        select = ", ".join(
            f"count(*) filter (where {w} and ({p})), count(*) filter (where {w} and ({judged})), "
            f"list({shown}::varchar order by {area}, {shown}::varchar) filter (where {w} and ({p})), "
            f"list(distinct {area}) filter (where {w} and ({p}))"
            for _, w, p, judged, shown, _ in aggregates)
        rows = con.execute(f"select {day}, {select} from {q(table)} group by all order by 1").fetchall()
        for k, (n, _, _, _, _, mostly) in enumerate(aggregates):
            failing, bad, samples, areas = set(), 0, [], set()
            for row in rows:
                unexpected, judged, values, found = row[1 + 4 * k: 5 + 4 * k]
                # Great Expectations: success when the share of judged rows that pass is at least `mostly`
                if unexpected and (mostly is None or (judged - unexpected) / judged < mostly):
                    failing |= {row[0]} if per_day else every
                    bad += unexpected
                    samples += (values or [])[:SHOWN_VALUES]
                    areas |= {a for a in found or [] if a is not None}
            detail = "ok"
            if failing:
                detail = f"{bad} unerwartete Werte, z. B. {samples[:SHOWN_VALUES]}"
                if areas:
                    listed = sorted(areas)
                    detail += f"; Gebiete {', '.join(listed[:SHOWN_AREAS])}{' …' if len(listed) > SHOWN_AREAS else ''}"
            results[n] = TableResult(frozenset(failing), detail)
    return [results[n] for n in range(len(expectations))]
