"""The run's pseudonym cache: each distinct input of a pseudonym column is hashed once per ingest run.

The job centre's monthly Bestand repeats the same persons and Bedarfsgemeinschaften in every delivery
(and each delivery revises the three months before it): hashing per row spent most of the ingest on
HMACs of values already hashed. The cache maps a pseudonym column's input, as delivered, to its
pseudonym, per contract, and lives in this process's memory only, like the delivery's clear text
(DuckDB spills to the ingest's private temporary directory).

Memory stays bounded: a column's cache starts again rather than grow past `STICHTAG_PSEUDONYM_CACHE`
entries; a delivery with more rows than that (a Land-scale registry Bestand: hashing its distinct values
and joining them back ran the 1 GB ingest memory out) and a contract whose deliveries do not repeat
their inputs (the registry's events) are hashed per row, streaming.
"""

from __future__ import annotations

import os

import duckdb
import pyarrow as pa

from sources.anonymise import lookup_table, pseudonym_input_columns, pseudonym_inputs, q
from sources.contract import Contract
from sources.pseudonym import PseudonymKey


def cache_limit() -> int:
    return int(os.environ.get("STICHTAG_PSEUDONYM_CACHE", "2000000"))


class PseudonymCache:
    """(contract, pseudonym column, its input columns as delivered) → pseudonym, per key: a cache made under
    one key is never consulted under another. Keyed by the delivered text rather than the normalised input, so
    that the normalisation (regular expressions over names and addresses) runs once per distinct value
    too, not once per row."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = cache_limit() if limit is None else limit
        self._tables: dict[tuple[str, ...], pa.Table] = {}
        self.hashed = 0  # distinct inputs hashed, for the profile
        self.restarts = 0  # columns' caches started again at the limit
        self._repeats: dict[tuple[str, str], bool] = {}  # did the contract's last delivery repeat known inputs?

    def worth_it(self, contract: Contract, rows: int) -> bool:
        """Whether this delivery's pseudonyms go through the cache: not if it is larger than the cache, nor if
        the contract's last delivery found fewer than half of its inputs known (the registry's events name
        each person once: caching them would only cost memory)."""
        return rows <= self.limit and self._repeats.get((contract.source, contract.table), True)

    def register(self, con: duckdb.DuckDBPyConnection, contract: Contract, key: PseudonymKey, rows: int) -> None:
        """Hash the inputs of table `checked`'s valid rows not yet known and register every pseudonym column's
        lookup table on `con` as a temporary table, for `projected_sql(…, looked_up=True)` (the connection must
        have the key registered)."""
        inputs, columns = pseudonym_inputs(contract), pseudonym_input_columns(contract)
        derived = {d.target for d in contract.derived}
        found: list[bool | None] = []  # per column: half of the inputs known? (None: the cache was empty)
        for target, cols in columns.items():
            where = (key.key_id, contract.source, contract.table, target)
            known = self._tables.get(where)
            if known is not None and known.num_rows + rows > self.limit:
                known, self.restarts = None, self.restarts + 1  # bounded: start again, never grow past the limit
            listed = ", ".join(f"t.{c}" for c in cols)
            # a column's pseudonym of nothing is NULL (the projection's join finds no entry); a derived one
            # joins its parts with '' for a missing one, so it always has a pseudonym
            present = "" if target in derived else f" and t.{cols[0]} is not null"
            first = known is None
            if known is None:
                matched = f"select {listed}, null::varchar as h from g t"
            else:
                con.register("_bekannt", known)
                on = " and ".join(f"b.{c} is not distinct from t.{c}" for c in cols)
                matched = f"select {listed}, b.h from g t left join _bekannt b on {on}"
            # only the delivery's own distinct inputs are looked up and joined back: the join's cost
            # follows the delivery, not the cache; the HMAC runs for the inputs the cache lacks
            con.execute(f"""
                create or replace temp table {q(lookup_table(target))} as
                with g as (select distinct {listed} from checked t where t._reason is null{present}),
                     m as ({matched})
                select {listed}, coalesce(t.h, {key.sql(inputs[target], target)}) as h, t.h is null as neu
                from m t
            """)
            new = con.sql(f"select {listed}, t.h from {q(lookup_table(target))} t where t.neu "
                          f"order by {listed}").to_arrow_table()
            if known is not None:
                con.unregister("_bekannt")
            self._tables[where] = new if known is None else pa.concat_tables([known, new.cast(known.schema)])
            self.hashed += new.num_rows
            distinct = con.sql(f"select count(*) from {q(lookup_table(target))}").fetchall()[0][0]
            found.append(None if first else distinct - new.num_rows >= new.num_rows)
        if None not in found:
            self._repeats[(contract.source, contract.table)] = any(found)
