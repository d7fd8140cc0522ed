"""Source contracts: the reviewable YAML that says what a delivery holds and what ingest does with it."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kernel.settings import CONTRACTS_DIR
from kernel.yaml_text import load_yaml

TYPES = {"string", "integer", "decimal", "date", "timestamp", "enum", "ags", "code", "official_value"}
FORMATS = {"csv", "fixed_width", "xlsx", "xml", "postgres", "genesis_ffcsv", "genesis_table", "ba_xlsx"}
# Zeichenerklärung of German official statistics (Destatis, WISTA 2014): symbol → status of the value
OFFICIAL_SYMBOLS = {"-": "nichts", ".": "geheim", "/": "unsicher", "x": "nicht_sinnvoll", "X": "nicht_sinnvoll",
                    "...": "noch_nicht_verfuegbar", "…": "noch_nicht_verfuegbar"}
RULES = {"drop", "keep", "pseudonymise", "generalise_year_month", "generalise_month_start"}
SENSITIVITIES = {"direct_identifier", "quasi_identifier", "not_sensitive"}
NORMALISATIONS = {"id", "name", "address"}


class ContractError(ValueError):
    """A contract file is invalid; raised before any data is touched."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    sensitivity: str
    rule: str
    required: bool = False
    target: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    pattern: str | None = None
    normalise: str | None = None
    start: int | None = None  # fixed width: first position (1-based) and width
    width: int | None = None
    path: str | None = None  # xml: where the value is, relative to the record element
    when: str | None = None  # generalise_month_start: SQL over the delivered columns (absent: every row)
    note: str | None = None  # for the reviewer and the dbt docs


@dataclass(frozen=True)
class Derived:
    target: str
    sources: tuple[str, ...]
    normalise: str
    sensitivity: str
    note: str | None = None


@dataclass(frozen=True)
class RowCheck:
    sql: str
    reason: str


@dataclass(frozen=True)
class Contract:
    source: str
    table: str
    title: str
    file_pattern: str
    encoding: str
    delimiter: str
    date_format: str
    columns: tuple[Column, ...]
    format: str = "csv"
    options: dict = field(default_factory=dict)  # format-specific: record layout, sheet, record element, query
    derived: tuple[Derived, ...] = ()
    row_checks: tuple[RowCheck, ...] = field(default_factory=tuple)
    unique: tuple[str, ...] = ()  # columns whose value identifies a row: at most once, in the whole table
    path: Path | None = None
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def matches(self, file_name: str) -> bool:
        return self.format != "postgres" and fnmatch.fnmatchcase(file_name, self.file_pattern)

    def output_columns(self) -> list[str]:
        out = [t for c in self.columns if c.rule != "drop" for t in c.target]
        return out + [d.target for d in self.derived]


def _as_tuple(v: object) -> tuple[str, ...]:
    if v is None:
        return ()
    return tuple(v) if isinstance(v, list) else (str(v),)


def ffcsv_columns(k: int) -> list[dict]:
    """The fixed layout of a GENESIS flat file with k classifying variables (quality=on): every table is
    the same shape, so its contract names only k and what the codes mean."""
    def col(name: str, target: str | None, **kw: object) -> dict:
        return {"name": name, "type": kw.pop("type", "string"), "sensitivity": "not_sensitive",
                "rule": "keep" if target else "drop", **({"target": target} if target else {}), **kw}
    cols = [col("statistics_code", "statistik", required=True, type="code", pattern="^[0-9A-Z]{5}$"),
            col("statistics_label", None), col("time_code", "zeit_code", required=True),
            col("time_label", None), col("time", "zeit", required=True)]
    for i in range(1, k + 1):
        cols += [col(f"{i}_variable_code", f"merkmal_{i}", required=True), col(f"{i}_variable_label", None),
                 col(f"{i}_variable_attribute_code", f"auspraegung_{i}"), col(f"{i}_variable_attribute_label", None)]
    return cols + [col("value", ["wert", "wert_status"], type="official_value", required=True),
                   col("value_unit", "einheit"), col("value_variable_code", "wertmerkmal", required=True),
                   col("value_variable_label", None), col("value_q", "qualitaet")]


def parse_contract(data: dict, path: Path | None = None) -> Contract:
    where = str(path or "contract")
    if data.get("delivery", {}).get("format") == "genesis_ffcsv" and "columns" not in data:
        data = {**data, "columns": ffcsv_columns(int(data["delivery"]["variables"]))}
    try:
        delivery = data["delivery"]
        columns = []
        for c in data["columns"]:
            col = Column(name=c["name"], type=c["type"], sensitivity=c["sensitivity"], rule=c["rule"],
                         required=bool(c.get("required", False)), target=_as_tuple(c.get("target")),
                         values=_as_tuple(c.get("values")), pattern=c.get("pattern"),
                         normalise=c.get("normalise"), start=c.get("start"), width=c.get("width"),
                         path=c.get("path"), when=c.get("when"), note=c.get("note"))
            if col.type not in TYPES:
                raise ContractError(f"{where}: column {col.name}: unknown type {col.type!r}")
            if col.rule not in RULES:
                raise ContractError(f"{where}: column {col.name}: unknown rule {col.rule!r}")
            if col.sensitivity not in SENSITIVITIES:
                raise ContractError(f"{where}: column {col.name}: unknown sensitivity {col.sensitivity!r}")
            if col.sensitivity == "direct_identifier" and col.rule == "keep":
                raise ContractError(f"{where}: column {col.name}: a direct identifier may not be kept")
            if col.type == "official_value" and (col.rule != "keep" or len(col.target) != 2):
                raise ContractError(f"{where}: column {col.name}: an official value keeps two targets (value, status)")
            if col.rule == "generalise_year_month" and (col.type != "date" or len(col.target) != 2):
                raise ContractError(f"{where}: column {col.name}: generalise_year_month needs a date "
                                    "and two targets (year, month)")
            if col.rule == "generalise_month_start" and (col.type != "date" or len(col.target) != 1):
                raise ContractError(f"{where}: column {col.name}: generalise_month_start needs a date and one target")
            if col.when is not None and col.rule != "generalise_month_start":
                raise ContractError(f"{where}: column {col.name}: `when` only qualifies generalise_month_start")
            if col.rule in ("keep", "pseudonymise") and len(col.target) != 1 and col.type != "official_value":
                raise ContractError(f"{where}: column {col.name}: rule {col.rule} needs one target")
            if col.type == "enum" and not col.values:
                raise ContractError(f"{where}: column {col.name}: enum without values")
            columns.append(col)
        names = [c.name for c in columns]
        derived = tuple(Derived(target=d["target"], sources=_as_tuple(d["from"]), normalise=d["normalise"],
                                sensitivity=d["sensitivity"], note=d.get("note"))
                        for d in data.get("derived", []))
        for d in derived:
            missing = set(d.sources) - set(names)
            if missing:
                raise ContractError(f"{where}: derived {d.target}: unknown source columns {sorted(missing)}")
            if d.normalise not in NORMALISATIONS:
                raise ContractError(f"{where}: derived {d.target}: unknown normalisation {d.normalise!r}")
        fmt = delivery.get("format", "csv")
        if fmt not in FORMATS:
            raise ContractError(f"{where}: unknown delivery format {fmt!r} (known: {sorted(FORMATS)})")
        options = {k: v for k, v in delivery.items()
                   if k not in ("format", "file_pattern", "encoding", "delimiter", "date_format")}
        if fmt in ("genesis_ffcsv", "genesis_table", "ba_xlsx"):
            options.setdefault("decimal_separator", "," if fmt != "ba_xlsx" else ".")
            options["symbols"] = {**OFFICIAL_SYMBOLS, **options.get("symbols", {})}
        if "statistik" in data:
            options["statistik"] = data["statistik"]
        _check_format(where, fmt, options, columns)
        contract = Contract(
            source=data["source"], table=data["table"], title=data.get("title", data["table"]),
            file_pattern=delivery.get("file_pattern", ""), encoding=delivery.get("encoding", "utf-8"),
            delimiter=delivery.get("delimiter", ";"), date_format=delivery.get("date_format", "%Y-%m-%d"),
            columns=tuple(columns),
            format=fmt, options=options,
            derived=derived,
            row_checks=tuple(RowCheck(sql=r["sql"], reason=r["reason"]) for r in data.get("row_checks", [])),
            unique=_as_tuple(data.get("unique")),
            path=path,
            description=" ".join(str(data.get("description", "")).split()),
        )
        for u in contract.unique:
            if u not in names:
                raise ContractError(f"{where}: unique column {u!r} is not a column")
    except KeyError as e:
        raise ContractError(f"{where}: missing key {e}") from e
    outputs = contract.output_columns()
    if len(outputs) != len(set(outputs)):
        raise ContractError(f"{where}: duplicate target columns in {outputs}")
    return contract


def _check_format(where: str, fmt: str, options: dict, columns: list[Column]) -> None:
    """Each format names where a column's value is; a contract that cannot be read fails here, not on data."""
    need = {"fixed_width": ("record_length", "data_record"), "xlsx": ("sheet",), "xml": ("record_element",),
            "genesis_ffcsv": ("variables",), "ba_xlsx": ("merkmale",),
            "postgres": ("query", "cursor", "dsn_env", "system")}.get(fmt, ())
    for key in need:
        if key not in options:
            raise ContractError(f"{where}: format {fmt} needs delivery.{key}")
    if fmt == "fixed_width":
        length = int(options["record_length"])
        for c in columns:
            if c.start is None or c.width is None:
                raise ContractError(f"{where}: column {c.name}: fixed width needs start and width")
            if c.start < 1 or c.start + c.width - 1 > length:
                raise ContractError(f"{where}: column {c.name}: positions {c.start}–{c.start + c.width - 1} "
                                    f"outside the record length {length}")
        spans = sorted((c.start, c.start + c.width - 1, c.name) for c in columns)
        for (_, end1, a), (start2, _, b) in zip(spans, spans[1:], strict=False):
            if start2 <= end1:
                raise ContractError(f"{where}: columns {a} and {b} overlap")
    if fmt in ("genesis_ffcsv", "genesis_table", "ba_xlsx"):
        unknown = set(options.get("symbols", {}).values()) - set(OFFICIAL_SYMBOLS.values())
        if unknown:
            raise ContractError(f"{where}: unknown status {sorted(unknown)} for symbols "
                                f"(known: {sorted(set(OFFICIAL_SYMBOLS.values()))})")
    if fmt == "xml":
        for c in columns:
            if not c.path:
                raise ContractError(f"{where}: column {c.name}: xml needs a path")
    if fmt == "postgres":
        by_name = {c.name: c for c in columns}
        cursor = options["cursor"]
        if not isinstance(cursor, str) or getattr(by_name.get(cursor), "type", None) != "timestamp":
            # a change time, never an id: the watermark is written to the ingest log and delivery names
            raise ContractError(f"{where}: cursor must name the change-time column (type timestamp), got {cursor}")


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> tuple[Contract, ...]:
    return tuple(parse_contract(load_yaml(p.read_text(encoding="utf-8")), p)
                 for p in sorted(directory.glob("*/*.yml")))


def contract_for(file_name: str, contracts: tuple[Contract, ...] | None = None) -> Contract | None:
    for c in contracts if contracts is not None else load_contracts():
        if c.matches(file_name):
            return c
    return None
