"""SQL generated from a source contract: typed validation with reasons, and the anonymising projection.

Only the projection's columns reach the lake; every expression is vectorised in DuckDB.
"""

from __future__ import annotations

from sources.contract import Column, Contract
from sources.pseudonym import PseudonymKey


def q(name: str) -> str:
    """Quote an identifier (contract column names contain umlauts, hyphens)."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def raw(name: str) -> str:
    """The delivered text of a column (blank → NULL) inside table `checked`."""
    return q(name + "__raw")


def _decimal_pattern(sep: str) -> str:
    """German `1.234,56` / `1234,56` or English `1234.56`; never a guess between the two."""
    if sep == ",":
        return r"-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?"
    return r"-?[0-9]+(\.[0-9]+)?"


def _official_number(v: str, decimal_sep: str) -> str:
    """A published number: `-0,5`, `3391,228`, `9310` (no thousands separators in these formats)."""
    pattern = r"-?[0-9]+(,[0-9]+)?" if decimal_sep == "," else r"-?[0-9]+(\.[0-9]+)?"
    number = f"replace({v}, ',', '.')" if decimal_sep == "," else v
    return f"case when regexp_full_match({v}, {lit(pattern)}) then try_cast({number} as decimal(18, 3)) end"


def official_status_sql(v: str, symbols: dict[str, str], decimal_sep: str) -> str:
    """The status of a published value: `ok` for a number, the symbol's meaning otherwise, NULL if unknown."""
    cases = " ".join(f"when {lit(sym)} then {lit(status)}" for sym, status in symbols.items())
    return f"case when ({_official_number(v, decimal_sep)}) is not null then 'ok' else case {v} {cases} end end"


def _typed(c: Column, date_format: str, decimal_sep: str = ",", symbols: dict | None = None) -> str:
    v = f"nullif(trim(d.{q(c.name)}), '')"
    if c.type == "official_value":
        # `-` means exactly nothing: 0 with status `nichts`; every other symbol leaves no number
        return f"case when {v} = '-' then 0::decimal(18, 3) else {_official_number(v, decimal_sep)} end"
    if c.type == "date":
        return f"try_strptime({v}, {lit(date_format)})::date"
    if c.type == "integer":
        return f"try_cast({v} as bigint)"
    if c.type == "timestamp":
        return f"try_cast({v} as timestamptz)"
    if c.type == "decimal":
        number = f"replace(replace({v}, '.', ''), ',', '.')" if decimal_sep == "," else v
        return (f"case when regexp_full_match({v}, {lit(_decimal_pattern(decimal_sep))}) "
                f"then try_cast({number} as decimal(14, 2)) end")
    return v


def _column_reasons(c: Column, date_format: str, decimal_sep: str = ",", symbols: dict | None = None) -> list[str]:
    raw_ = raw(c.name)
    typed = q(c.name)
    # reasons are literals from the contract: no delivered value is ever echoed, whatever the column's
    # sensitivity (a shifted record puts a name where a harmless code belongs); the line number finds it
    out = []
    if c.required:
        out.append(f"case when {raw_} is null then {lit(f'Pflichtfeld {c.name} ist leer')} end")
    if c.type == "date":
        out.append(f"case when {raw_} is not null and {typed} is null then "
                   f"{lit(f'{c.name}: kein gültiges Datum im Format {date_format}')} end")
    elif c.type == "integer":
        out.append(f"case when {raw_} is not null and {typed} is null then "
                   f"{lit(f'{c.name}: keine ganze Zahl')} end")
    elif c.type == "decimal":
        out.append(f"case when {raw_} is not null and {typed} is null then "
                   f"{lit(f'{c.name}: keine Dezimalzahl mit Dezimaltrennzeichen {decimal_sep!r}')} end")
    elif c.type == "official_value":
        known = ", ".join(lit(k) for k in symbols or {})
        out.append(f"case when {raw_} is not null and {typed} is null and {raw_} not in ({known}) then "
                   f"{lit(f'{c.name}: unbekanntes Zeichen oder keine Zahl')} end")
    elif c.type == "timestamp":
        out.append(f"case when {raw_} is not null and {typed} is null then "
                   f"{lit(f'{c.name}: kein gültiger Zeitstempel')} end")
    elif c.type == "enum":
        values = ", ".join(lit(v) for v in c.values)
        out.append(f"case when {raw_} is not null and {raw_} not in ({values}) then "
                   f"{lit(f'{c.name}: unbekannter Wert')} end")
    elif c.type == "code" and c.pattern:
        out.append(f"case when {raw_} is not null and not regexp_full_match({raw_}, {lit(c.pattern.strip('^$'))}) "
                   f"then {lit(f'{c.name}: ungültiger Schlüssel')} end")
    elif c.type == "ags":
        out.append(f"case when {raw_} is not null and {raw_} not in (select ags from gemeinden) then "
                   f"{lit(f'{c.name}: unbekannter Gemeindeschlüssel')} end")
    return out


def validation_sql(contract: Contract) -> str:
    """Creates view `checked`: the typed columns plus `_reason` (NULL = row is valid; else every problem).

    Table `delivered` holds one or more deliveries of the contract, in the order they arrived: `_lieferung`
    numbers them, `_lieferdatum` is each one's delivery date, `_line` a row's line in its file. Every check is
    a delivery's own, as if it were ingested alone: a key doubled inside a delivery is found in that delivery,
    and a key is "already delivered" when the lake holds it (`existing_<column>`) or an earlier delivery of
    the batch lands it. That is exact for at most one kept unique column, as every contract has; a contract
    with more is landed one delivery at a time (`batchable`).

    A column whose typed value is its delivered text (strings, codes, enums, Gemeindeschlüssel) is stored
    once, in table `checked_rows`, and named twice by the view: materialising it twice cost a third of
    the validation."""
    sep = contract.options.get("decimal_separator", ",")
    symbols = contract.options.get("symbols")
    delivered = {c.name: f"nullif(trim(d.{q(c.name)}), '')" for c in contract.columns}
    typed = {c.name: _typed(c, contract.date_format, sep, symbols) for c in contract.columns}
    as_delivered = [c.name for c in contract.columns if typed[c.name] == delivered[c.name]]
    stored = ",\n    ".join(
        (f"{typed[c.name]} as {q(c.name)}, " if c.name not in as_delivered else "")
        + f"{delivered[c.name]} as {raw(c.name)}" for c in contract.columns)
    aliases = "".join(f", {raw(n)} as {q(n)}" for n in as_delivered)
    reasons = [r for c in contract.columns for r in _column_reasons(c, contract.date_format, sep, symbols)]
    # row checks are written over the typed columns, by their delivered names
    reasons += [f"case when not coalesce(({rc.sql}), true) then {lit(rc.reason)} end" for rc in contract.row_checks]
    by_name = {c.name: c for c in contract.columns}
    earlier: list[tuple[int, str, Column]] = []  # (position in `reasons`, unique column, its column)
    for u in contract.unique:
        # the first occurrence in a delivery stands, later ones are quarantined
        first = f"row_number() over (partition by _lieferung, {raw(u)} order by _line) = 1"
        reasons.append(f"case when {raw(u)} is not null and not {first} "
                       f"then {lit(f'{u} doppelt in dieser Lieferung')} end")
        if by_name[u].rule == "keep":
            earlier.append((len(reasons), u, by_name[u]))
            reasons.append("")  # filled below: it needs every other reason of the row
    # every problem of a row, not just the first: the data steward fixes them in one go
    named = ",\n    ".join(f"{r} as _r{i}" for i, r in enumerate(reasons) if r)
    own = [f"_r{i}" for i, r in enumerate(reasons) if r]  # every reason but the "already delivered" ones
    others = ", ".join(own)
    landing = ""
    for i, u, column in earlier:
        typed_u, existing = q(u), f"(select k from existing_{column.target[0]})"
        named += f",\n    row_number() over (partition by _lieferung, {raw(u)} order by _line) = 1 as _erst{i}"
        # the delivery of the batch that lands the key: the first whose first occurrence has no other problem
        landing += (f", min(case when {typed_u} is not null and _erst{i} and concat_ws('', {others}) = '' and "
                    f"{typed_u} not in {existing} then _lieferung end) over (partition by {typed_u}) as _landet{i}")
        reasons[i] = (f"case when {typed_u} in {existing} or {typed_u} is not null and _landet{i} < _lieferung "
                      f"then {lit(f'{u} wurde bereits geliefert (frühere Lieferung)')} end")
    at = {i for i, _, _ in earlier}
    listed = [reasons[i] if i in at else f"_r{i}" for i in range(len(reasons))]
    reason_expr = ("nullif(concat_ws('; ',\n    " + ",\n    ".join(listed) + "), '')") if reasons else "null::varchar"
    excluded = [q(n) for n in as_delivered] + own + [f"{c}{i}" for i in at for c in ("_landet", "_erst")]
    exclude = f" exclude ({', '.join(excluded)})" if excluded else ""
    return f"""
create or replace temp table checked_rows as
with s as (
  select
    d._lieferung,
    d._line,
    d._lieferdatum as lieferdatum,
    {stored}
  from delivered d
), t as (
  select *{aliases} from s
), r as (
  select t.*{(", " + named) if named else ""} from t
), l as (
  select r.*{landing} from r
)
select l.*{exclude}, {reason_expr} as _reason
from l;
create or replace temp view checked as select *{aliases} from checked_rows;
"""


_NORMALISE = {
    "id": "upper(trim({x}))",
    "name": "regexp_replace(strip_accents(lower(replace(trim({x}), 'ß', 'ss'))), '[^a-z0-9]+', ' ', 'g')",
    "address": "regexp_replace(strip_accents(lower(replace(trim({x}), 'ß', 'ss'))), '[^a-z0-9]+', '', 'g')",
}


def _input_column(c: Column) -> str:
    """The column of table `checked` a pseudonym input is normalised from: dates typed (they enter in ISO
    form, whatever the delivery's format), everything else as delivered."""
    return q(c.name) if c.type == "date" else raw(c.name)


def _normalised(c: Column, how: str, date_format: str) -> str:
    if c.type == "date":
        return f"strftime(t.{_input_column(c)}, '%Y-%m-%d')"
    return _NORMALISE[how].format(x=f"t.{_input_column(c)}")


def pseudonym_domains(contract: Contract) -> list[str]:
    """One derived key per pseudonym column name: the same name in two sources links them (households,
    persons across systems), two names never share a pseudonym for the same delivered value."""
    return [c.target[0] for c in contract.columns if c.rule == "pseudonymise"] + [d.target for d in contract.derived]


def pseudonym_inputs(contract: Contract) -> dict[str, str]:
    """Each pseudonym column's input over table `checked t`: the normalised text whose keyed HMAC it is."""
    cols = {c.name: c for c in contract.columns}
    inputs = {c.target[0]: _normalised(c, c.normalise or "id", contract.date_format)
              for c in contract.columns if c.rule == "pseudonymise"}
    for d in contract.derived:
        inputs[d.target] = " || '|' || ".join(
            f"coalesce({_normalised(cols[s], d.normalise, contract.date_format)}, '')" for s in d.sources)
    return inputs


def pseudonym_input_columns(contract: Contract) -> dict[str, list[str]]:
    """Each pseudonym column's input columns in table `checked` (quoted): equal columns, equal pseudonym."""
    cols = {c.name: c for c in contract.columns}
    out = {c.target[0]: [_input_column(c)] for c in contract.columns if c.rule == "pseudonymise"}
    for d in contract.derived:
        out[d.target] = list(dict.fromkeys(_input_column(cols[s]) for s in d.sources))
    return out


def lookup_table(target: str) -> str:
    """Name of the registered table of a pseudonym column's known input columns and their pseudonym `h`."""
    return f"_pseudonyme_{target}"


def projected_sql(contract: Contract, key: PseudonymKey, looked_up: bool = False) -> str:
    """SELECT of the anonymised valid rows of every delivery in table `checked`, with their delivery
    (`_lieferung`) and line (`source_line`) but not yet the columns naming the delivery (`delivery_sql`). The
    connection must have the key registered for `pseudonym_domains(contract)`.

    A pseudonym is computed per row, streaming, or (`looked_up`) read from the lookup table
    `lookup_table(target)` the run's pseudonym cache has registered (sources/pseudonym_cache.py): the
    same HMAC, computed once per distinct value of the run instead of once per row."""
    inputs, columns = pseudonym_inputs(contract), pseudonym_input_columns(contract)
    joins = []

    def pseudonym(target: str) -> str:
        if not looked_up:
            return key.sql(inputs[target], target)
        alias = f"p{len(joins)}"
        on = " and ".join(f"{alias}.{c} is not distinct from t.{c}" for c in columns[target])
        joins.append(f"left join {q(lookup_table(target))} {alias} on {on}")
        return f"{alias}.h"

    parts = []
    for c in contract.columns:
        if c.type == "official_value":
            status = official_status_sql(f"t.{raw(c.name)}", contract.options["symbols"],
                                         contract.options.get("decimal_separator", ","))
            parts.append(f"t.{q(c.name)} as {q(c.target[0])}")
            parts.append(f"{status} as {q(c.target[1])}")
        elif c.rule == "keep":
            parts.append(f"t.{q(c.name)} as {q(c.target[0])}")
        elif c.rule == "pseudonymise":
            parts.append(f"{pseudonym(c.target[0])} as {q(c.target[0])}")
        elif c.rule == "generalise_month_start":
            month_start = f"date_trunc('month', t.{q(c.name)})::date"
            parts.append(f"case when coalesce(({c.when or 'true'}), false) then {month_start} else t.{q(c.name)} end "
                         f"as {q(c.target[0])}")
        elif c.rule == "generalise_year_month":
            parts.append(f"year(t.{q(c.name)})::smallint as {q(c.target[0])}")
            parts.append(f"month(t.{q(c.name)})::tinyint as {q(c.target[1])}")
    for d in contract.derived:
        parts.append(f"{pseudonym(d.target)} as {q(d.target)}")
    parts += ["t._line as source_line", "t._lieferung"]
    select = ",\n  ".join(parts)
    return f"""
select
  {select}
from checked t
{chr(10).join(joins)}
where t._reason is null
"""


def output_columns(contract: Contract) -> list[str]:
    """The raw table's columns from the contract, in the order the projection writes them."""
    return [t for c in contract.columns if c.rule != "drop" for t in c.target] + [d.target for d in contract.derived]


def delivery_sql(contract: Contract, meta: dict[str, str], projected: str = "projected", lieferung: int = 0) -> str:
    """SELECT of delivery `lieferung` of `projected` (a `projected_sql` relation) as the raw zone stores it, in
    line order: the contract's columns, then the delivery's name, receipt, file hash, line and key id."""
    return f"""
select {", ".join(q(c) for c in output_columns(contract))},
  {lit(meta['lieferung_id'])} as lieferung_id,
  timestamptz {lit(meta['received_at'])} as received_at,
  {lit(meta['sha256'])} as source_file_sha256,
  source_line,
  {lit(meta['key_id'])} as key_id
from {projected}
where _lieferung = {int(lieferung)}
order by source_line
"""


def batchable(contract: Contract) -> bool:
    """Whether several deliveries of the contract may be validated in one statement with the same result as
    one by one (`validation_sql`: at most one unique column checked against earlier deliveries)."""
    by_name = {c.name: c for c in contract.columns}
    return sum(by_name[u].rule == "keep" for u in contract.unique) <= 1
