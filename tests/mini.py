"""A hand-written mini delivery of the resident registry with every edge case around one Stichtag."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from generator.melderegister import AENDERUNG_COLUMNS, BESTAND_COLUMNS

A, B, C = "01056001", "01056002", "01056025"  # Appen, Barmstedt, Helgoland
D = "15.03.2016"  # the Stichtag


def person(om: str, ags: str, birth: str = "01.06.1980") -> dict[str, str]:
    return {"Ordnungsmerkmal": om, "Familienname": "Testfall", "Vornamen": "Erika", "Geschlecht": "w",
            "Geburtsdatum": birth, "Geburtsort": "Kiel", "Staatsangehörigkeit": "000", "Straße": "Testweg",
            "Hausnummer": om[-1], "PLZ": "25482", "Gemeindeschlüssel": ags, "Steuer-ID": "12345678901"}


def event(nr: int, art: str, day: str, reported: str, who: dict[str, str], ags: str | None = None,
          bezug: int | None = None) -> dict[str, str]:
    row = {**who, "Vorgangsnummer": str(nr), "Ereignisart": art, "Ereignisdatum": day, "Meldedatum": reported,
           "Bezugsvorgang": "" if bezug is None else str(bezug)}
    if ags:
        row["Gemeindeschlüssel"] = ags
    return row


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [";".join(columns)] + [";".join(r.get(c, "") for c in columns) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


# when each delivery was received (its file time): the Datenstand axis
RECEIVED = {"EWO_BESTAND_20141231.csv": dt.datetime(2015, 1, 5, 6, tzinfo=dt.UTC),
            "EWO_AENDERUNGEN_201603.csv": dt.datetime(2016, 4, 5, 6, tzinfo=dt.UTC),
            "EWO_AENDERUNGEN_201604.csv": dt.datetime(2016, 5, 5, 6, tzinfo=dt.UTC)}


def write_mini_delivery(inbox_root: Path) -> None:
    inbox = inbox_root / "melderegister"
    a1, a2, a3 = person("100000000001", A), person("100000000002", A), person("100000000003", A)
    b1, b2, b3 = person("100000000011", B), person("100000000012", B), person("100000000013", B)
    c1 = person("100000000021", C)
    write(inbox / "EWO_BESTAND_20141231.csv", BESTAND_COLUMNS,
          [{**p, "Einzugsdatum": "01.01.2010"} for p in (a1, a2, a3, b1, b2, b3, c1)])
    newborn = person("100000000031", A, birth=D)
    z1, t1 = person("100000000032", B), person("100000000033", C)
    late, corrected = person("100000000034", C), person("100000000035", A)
    write(inbox / "EWO_AENDERUNGEN_201603.csv", AENDERUNG_COLUMNS, [
        event(1, "Geburt", D, D, newborn),
        event(2, "Tod", D, "16.03.2016", a1),
        event(3, "Zuzug", D, D, z1),
        event(4, "Fortzug", D, D, b1),
        event(5, "Umzug", D, D, a2, ags=C),              # A → C
        event(6, "Umzug", D, D, b2),                     # within B
        event(7, "Zuzug", D, D, t1),                     # in and out on the same day
        event(8, "Fortzug", D, D, t1),
        event(9, "Zuzug", "10.02.2016", "20.03.2016", late),   # late report of a February event
        event(10, "Zuzug", "10.03.2016", "12.03.2016", corrected),  # wrong date, cancelled in April
    ])
    stranger = person("100000000036", B)  # never registered: their Zuzug is still unreported
    write(inbox / "EWO_AENDERUNGEN_201604.csv", AENDERUNG_COLUMNS, [
        event(11, "Storno", "02.04.2016", "02.04.2016", corrected, bezug=10),
        event(12, "Zuzug", "17.03.2016", "02.04.2016", corrected),
        event(13, "Fortzug", "20.04.2016", "22.04.2016", stranger),
    ])
    for name, when in RECEIVED.items():
        os.utime(inbox / name, (when.timestamp(), when.timestamp()))
