"""Source contracts: the reviewable YAML that says what a delivery holds and what ingest does with it."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from stichtag.settings import CONTRACTS_DIR

TYPES = {"string", "integer", "date", "enum", "ags", "code"}
RULES = {"drop", "keep", "pseudonymise", "generalise_year_month"}
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


@dataclass(frozen=True)
class Derived:
    target: str
    sources: tuple[str, ...]
    normalise: str
    sensitivity: str


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
    derived: tuple[Derived, ...] = ()
    row_checks: tuple[RowCheck, ...] = field(default_factory=tuple)
    unique: tuple[str, ...] = ()  # columns whose value identifies a row: at most once, in the whole table
    path: Path | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def matches(self, file_name: str) -> bool:
        return fnmatch.fnmatchcase(file_name, self.file_pattern)

    def output_columns(self) -> list[str]:
        out = [t for c in self.columns if c.rule != "drop" for t in c.target]
        return out + [d.target for d in self.derived]


def _as_tuple(v: object) -> tuple[str, ...]:
    if v is None:
        return ()
    return tuple(v) if isinstance(v, list) else (str(v),)


def parse_contract(data: dict, path: Path | None = None) -> Contract:
    where = str(path or "contract")
    try:
        delivery = data["delivery"]
        columns = []
        for c in data["columns"]:
            col = Column(name=c["name"], type=c["type"], sensitivity=c["sensitivity"], rule=c["rule"],
                         required=bool(c.get("required", False)), target=_as_tuple(c.get("target")),
                         values=_as_tuple(c.get("values")), pattern=c.get("pattern"),
                         normalise=c.get("normalise"))
            if col.type not in TYPES:
                raise ContractError(f"{where}: column {col.name}: unknown type {col.type!r}")
            if col.rule not in RULES:
                raise ContractError(f"{where}: column {col.name}: unknown rule {col.rule!r}")
            if col.sensitivity not in SENSITIVITIES:
                raise ContractError(f"{where}: column {col.name}: unknown sensitivity {col.sensitivity!r}")
            if col.sensitivity == "direct_identifier" and col.rule == "keep":
                raise ContractError(f"{where}: column {col.name}: a direct identifier may not be kept")
            if col.rule == "generalise_year_month" and (col.type != "date" or len(col.target) != 2):
                raise ContractError(f"{where}: column {col.name}: generalise_year_month needs a date "
                                    "and two targets (year, month)")
            if col.rule in ("keep", "pseudonymise") and len(col.target) != 1:
                raise ContractError(f"{where}: column {col.name}: rule {col.rule} needs one target")
            if col.type == "enum" and not col.values:
                raise ContractError(f"{where}: column {col.name}: enum without values")
            columns.append(col)
        names = [c.name for c in columns]
        derived = tuple(Derived(target=d["target"], sources=_as_tuple(d["from"]), normalise=d["normalise"],
                                sensitivity=d["sensitivity"]) for d in data.get("derived", []))
        for d in derived:
            missing = set(d.sources) - set(names)
            if missing:
                raise ContractError(f"{where}: derived {d.target}: unknown source columns {sorted(missing)}")
            if d.normalise not in NORMALISATIONS:
                raise ContractError(f"{where}: derived {d.target}: unknown normalisation {d.normalise!r}")
        contract = Contract(
            source=data["source"], table=data["table"], title=data.get("title", data["table"]),
            file_pattern=delivery["file_pattern"], encoding=delivery["encoding"],
            delimiter=delivery["delimiter"], date_format=delivery["date_format"], columns=tuple(columns),
            derived=derived,
            row_checks=tuple(RowCheck(sql=r["sql"], reason=r["reason"]) for r in data.get("row_checks", [])),
            unique=_as_tuple(data.get("unique")),
            path=path,
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


@cache
def load_contracts(directory: Path = CONTRACTS_DIR) -> tuple[Contract, ...]:
    return tuple(parse_contract(yaml.safe_load(p.read_text(encoding="utf-8")), p)
                 for p in sorted(directory.glob("*/*.yml")))


def contract_for(file_name: str, contracts: tuple[Contract, ...] | None = None) -> Contract | None:
    for c in contracts if contracts is not None else load_contracts():
        if c.matches(file_name):
            return c
    return None
