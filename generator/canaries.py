"""Canary values planted into the clear-text deliveries.

Any of them appearing anywhere under the lake is a leak: the canary scan in the tests fails on it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CanaryPerson:
    ordnungsmerkmal: str
    familienname: str
    vornamen: str
    geburtsdatum: str  # DD.MM.YYYY, as delivered
    geburtsort: str
    strasse: str
    hausnummer: str
    steuer_id: str


CANARY_PERSONS: tuple[CanaryPerson, ...] = (
    CanaryPerson("990000000001", "Zwitscherling", "Quirinella Canaria", "29.02.1964", "Kanarienhausen",
                 "Kanarienvogelweg", "47a", "99817364502"),
    CanaryPerson("990000000002", "Piepmatzky", "Korbinian Tweety", "13.07.1987", "Fink-am-Gitter",
                 "Zeisigstieg", "11", "99817364513"),
    CanaryPerson("990000000003", "Gelbfederowa", "Serinus Harzer", "02.11.2001", "Vogelkäfigstadt",
                 "Sittichgang", "3", "99817364524"),
)


def canary_strings() -> list[str]:
    """Every clear-text canary value that must never reach the lake."""
    out: list[str] = []
    for p in CANARY_PERSONS:
        out += [p.ordnungsmerkmal, p.familienname, p.vornamen, p.geburtsort, p.strasse, p.steuer_id]
    return out


def canary_birth_dates_iso() -> list[str]:
    out = []
    for p in CANARY_PERSONS:
        d, m, y = p.geburtsdatum.split(".")
        out.append(f"{y}-{m}-{d}")
    return out
