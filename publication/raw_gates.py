"""The raw deliveries' suites (expectations/raw/, generated from the source contracts) as DuckDB SQL.

Every raw suite uses four expectation types — the column set, not null, in set, between — and each is one
aggregate over the delivered Parquet. Great Expectations' pandas engine needed each delivery in memory, so a
run validated at most 24 deliveries per table (a lake built in one go caught up over six runs, and every daily
job paid 13 s of it, measured: BENCHMARKS.md); in SQL every delivery not validated yet is checked in one
streaming pass. The expectations stay the suite files' (their names and arguments are Great Expectations'),
an unknown type or argument fails loudly rather than passing unchecked, and a detail names the deliveries
and counts, never a delivered value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.anonymise import q

MAP_ARGUMENTS = {
    "expect_column_values_to_not_be_null": {"column"},
    "expect_column_values_to_be_in_set": {"column", "value_set"},
    "expect_column_values_to_be_between": {"column", "min_value", "max_value"},
    "expect_column_pair_values_to_be_equal": {"column_A", "column_B"},
}
COLUMN_SET = "expect_table_columns_to_match_set"
SHOWN_DELIVERIES = 8


class UnsupportedExpectation(ValueError):
    """A raw suite names an expectation (or an argument of one) this module cannot evaluate."""


@dataclass(frozen=True)
class RawResult:
    passed: bool
    detail: str


def literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def violation(kind: str, kwargs: dict) -> str:
    """A SQL predicate that holds for a row violating the expectation (a null passes, as in Great Expectations,
    except for not null; a pair of nulls is equal, one null is not)."""
    unknown = set(kwargs) - MAP_ARGUMENTS.get(kind, set())
    if kind not in MAP_ARGUMENTS or unknown:
        raise UnsupportedExpectation(f"{kind}{f' ({sorted(unknown)})' if unknown else ''}: not evaluable in SQL")
    if kind == "expect_column_pair_values_to_be_equal":
        return f"{q(kwargs['column_A'])} is distinct from {q(kwargs['column_B'])}"
    column = q(kwargs["column"])
    if kind == "expect_column_values_to_not_be_null":
        return f"{column} is null"
    if kind == "expect_column_values_to_be_in_set":
        values = list(kwargs["value_set"])
        if not values:  # an empty set allows no value at all (`not in (null)` would let every value pass)
            return f"{column} is not null"
        compared = f"{column}::varchar" if all(isinstance(v, str) for v in values) else column
        return f"{column} is not null and {compared} not in ({', '.join(map(literal, values))})"
    bounds = [f"{column} < {literal(kwargs['min_value'])}" if kwargs.get("min_value") is not None else "",
              f"{column} > {literal(kwargs['max_value'])}" if kwargs.get("max_value") is not None else ""]
    return f"{column} is not null and ({' or '.join(b for b in bounds if b) or 'false'})"


def checked_columns(kwargs: dict) -> list[str]:
    """The columns a column expectation reads."""
    return [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]


def _deliveries(ids: list[str]) -> str:
    shown = ", ".join(sorted(ids)[:SHOWN_DELIVERIES])
    return f"Lieferungen {shown}{' …' if len(ids) > SHOWN_DELIVERIES else ''}"


def evaluate(con: duckdb.DuckDBPyConnection, deliveries: dict[str, Path],
             expectations: list[tuple[str, dict]]) -> list[RawResult]:
    """One result per expectation (type, filled kwargs), over the deliveries (id → folder of Parquet files)."""
    columns = {i: [r[0] for r in con.execute(f"describe select * from read_parquet('{d}/*.parquet', "
                                             "hive_partitioning = false, union_by_name = true)").fetchall()]
               for i, d in deliveries.items()}
    present = {c for cs in columns.values() for c in cs}
    results: dict[int, RawResult] = {}
    aggregates: list[tuple[int, str]] = []
    for n, (kind, kwargs) in enumerate(expectations):
        if kind == COLUMN_SET:
            if set(kwargs) - {"column_set", "exact_match"}:
                raise UnsupportedExpectation(f"{kind} ({sorted(set(kwargs) - {'column_set', 'exact_match'})})")
            wanted = set(kwargs["column_set"])
            exact = kwargs.get("exact_match", True)
            wrong = [i for i, cs in columns.items() if (set(cs) != wanted if exact else not wanted <= set(cs))]
            results[n] = RawResult(not wrong, "ok" if not wrong else
                                   f"{len(wrong)} Lieferung(en) mit anderen Spalten; {_deliveries(wrong)}")
        elif missing := [c for c in checked_columns(kwargs) if c not in present]:
            violation(kind, kwargs)  # an unknown type still fails loudly
            results[n] = RawResult(False, f"Spalte {missing[0]!r} fehlt in allen geprüften Lieferungen")
        else:
            aggregates.append((n, violation(kind, kwargs)))
    if aggregates:
        # the delivery a row came from is its folder (lieferung=<id>), not a column the file may lack
        folder_id = {str(d): i for i, d in deliveries.items()}  # DuckDB names each file as globbed from `d`
        listing = ", ".join(f"'{d}/*.parquet'" for d in deliveries.values())
        select = ", ".join(f"count(*) filter (where {p}), list(distinct filename) filter (where {p})"
                           for _, p in aggregates)
        row = con.execute(f"select {select} from read_parquet([{listing}], hive_partitioning = false, "
                          f"union_by_name = true, filename = true)").fetchone()
        for k, (n, _) in enumerate(aggregates):
            count, files = row[2 * k], row[2 * k + 1] or []
            ids = sorted({folder_id[str(Path(f).parent)] for f in files})
            results[n] = RawResult(count == 0, "ok" if count == 0 else f"{count} unerwartete Werte; {_deliveries(ids)}")
    return [results[n] for n in range(len(expectations))]
