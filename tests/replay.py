"""An independent computation of the KPIs, for the tests: replay the clear-text deliveries in plain
Python, person by person and day by day, with exact birth dates. Shares no code with the pipeline."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass
class State:
    ags: str
    sex: str
    birth: dt.date
    nat: str
    household: str = ""
    born_abroad: bool = False
    address_since: dt.date | None = None
    migration_history: bool = False  # foreign now or ever before, or born abroad


def household_key(street: str, house: str, ags: str, surname: str) -> str:
    """One address, one family name; spelled independently of the pipeline's SQL normalisation."""
    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.strip().lower().replace("ß", "ss"))
        return "".join(ch for ch in text if ch.isascii() and ch.isalnum())
    return "|".join(norm(x) for x in (street, house, ags, surname))


def _d(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d.%m.%Y").date()


def _month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _state(r: dict[str, str], before: State | None = None) -> State:
    born_abroad = r["Geburtsstaat"] not in ("", "000")
    # the move-in month's last day: the pipeline keeps only the month
    if "Einzugsdatum" in r:
        since = _month_end(_d(r["Einzugsdatum"])) if r["Einzugsdatum"] else None
    elif r["Ereignisart"] in ("Zuzug", "Umzug", "Geburt"):
        since = _month_end(_d(r["Ereignisdatum"]))
    else:
        since = before.address_since if before else None
    history = born_abroad or r["Staatsangehörigkeit"] != "000" or bool(before and before.migration_history)
    return State(r["Gemeindeschlüssel"], r["Geschlecht"], _d(r["Geburtsdatum"]), r["Staatsangehörigkeit"],
                 household_key(r["Straße"], r["Hausnummer"], r["Gemeindeschlüssel"], r["Familienname"]),
                 born_abroad, since, history)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="cp1252", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


class Replay:
    def __init__(self, inbox: Path) -> None:
        folder = inbox / "melderegister"
        self.bestand = {r["Ordnungsmerkmal"]: _state(r)
                        for r in _rows(next(folder.glob("EWO_BESTAND_*.csv")))}
        events = [r for p in sorted(folder.glob("EWO_AENDERUNGEN_*.csv")) for r in _rows(p)]
        cancelled = {r["Bezugsvorgang"] for r in events if r["Ereignisart"] == "Storno"}
        self.events = sorted((r for r in events if r["Ereignisart"] != "Storno"
                              and r["Vorgangsnummer"] not in cancelled),
                             key=lambda r: (_d(r["Ereignisdatum"]), int(r["Vorgangsnummer"])))

    def population(self, day: dt.date) -> dict[str, State]:
        """Residents at the end of `day`."""
        pop = dict(self.bestand)
        last: dict[str, State] = dict(self.bestand)  # a person's latest state, resident or not
        for r in self.events:
            if _d(r["Ereignisdatum"]) > day:
                break
            om = r["Ordnungsmerkmal"]
            state = _state(r, last.get(om))
            last[om] = state
            if r["Ereignisart"] in ("Fortzug", "Tod"):
                pop.pop(om, None)
            else:
                pop[om] = state
        return pop

    def moves(self, start: dt.date, end: dt.date) -> tuple[Counter, Counter, Counter, Counter]:
        """Births, deaths, moves in and out per Gemeinde with start < Ereignisdatum <= end."""
        births, deaths, ins, outs = Counter(), Counter(), Counter(), Counter()
        where: dict[str, str | None] = {om: s.ags for om, s in self.bestand.items()}
        for r in self.events:
            day = _d(r["Ereignisdatum"])
            if day > end:
                break
            om, art, ags = r["Ordnungsmerkmal"], r["Ereignisart"], r["Gemeindeschlüssel"]
            before = where.get(om)
            after = None if art in ("Fortzug", "Tod") else ags
            where[om] = after
            if day <= start:
                continue
            if art == "Geburt":
                births[ags] += 1
            elif art == "Tod":
                deaths[ags] += 1
            elif art in ("Zuzug", "Fortzug", "Umzug") and before != after:
                if after:
                    ins[after] += 1
                if before:
                    outs[before] += 1
        return births, deaths, ins, outs


def _areas_km2() -> dict[str, float]:
    """km² of every Gemeinde, Amt and the Kreis: an area's whole territory, generated or not."""
    path = Path(__file__).resolve().parent.parent / "reference" / "gemeinden_pinneberg.csv"
    out: dict[str, float] = defaultdict(float)
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            for key in (r["ags"], r["amt_ars"], r["kreis_ags"]):
                if key:
                    out[key] += float(r["area_km2"])
    return dict(out)


AREA_KM2 = _areas_km2()


def age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expected_kpis(replay: Replay, day: dt.date, areas: dict[str, list[str]]) -> dict[tuple[str, str], tuple]:
    """(kpi_id, gebiet_id) → (numerator, denominator) for every area (a list of its Gemeinden)."""
    pop = replay.population(day)
    year_before = day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) \
        else day.replace(year=day.year - 1, day=28)
    pop_before = Counter(s.ags for s in replay.population(year_before).values())
    births, deaths, ins, outs = replay.moves(year_before, day)
    by: dict[str, list[State]] = defaultdict(list)
    for s in pop.values():
        by[s.ags].append(s)
    out = {}
    for area, members in areas.items():
        people = [s for g in members for s in by[g]]
        ages = [age(s.birth, day) for s in people]
        n = len(people)
        mean_pop = (n + sum(pop_before[g] for g in members)) / 2
        working = sum(20 <= a <= 64 for a in ages)
        out[("einwohner", area)] = (n, None)
        out[("anteil_u18", area)] = (sum(a <= 17 for a in ages), n)
        out[("anteil_65plus", area)] = (sum(a >= 65 for a in ages), n)
        out[("anteil_80plus", area)] = (sum(a >= 80 for a in ages), n)
        out[("jugendquotient", area)] = (sum(a <= 19 for a in ages), working)
        out[("altenquotient", area)] = (sum(a >= 65 for a in ages), working)
        out[("durchschnittsalter", area)] = (sum(a + 0.5 for a in ages), n)
        out[("auslaenderanteil", area)] = (sum(s.nat != "000" for s in people), n)
        out[("einwanderungsgeschichte", area)] = (sum(s.migration_history for s in people), n)
        five_years_before = day.replace(year=day.year - 5) if not (day.month == 2 and day.day == 29) \
            else day.replace(year=day.year - 5, day=28)
        out[("wohndauer_5j", area)] = (sum(s.address_since is not None and s.address_since <= five_years_before
                                           for s in people), n)
        out[("geburtenrate", area)] = (sum(births[g] for g in members), mean_pop)
        out[("sterberate", area)] = (sum(deaths[g] for g in members), mean_pop)
        out[("wanderungssaldo", area)] = (sum(ins[g] - outs[g] for g in members), mean_pop)
        out[("nat_saldo", area)] = (sum(births[g] - deaths[g] for g in members), mean_pop)
        out[("anteil_u6", area)] = (sum(a <= 5 for a in ages), n)
        out[("dichte", area)] = (n, AREA_KM2[area])
        households: dict[str, list[int]] = defaultdict(list)
        for s, a in zip(people, ages, strict=True):
            households[s.household].append(a)
        with_kids = [h for h in households.values() if min(h) < 18]
        out[("einpersonenhaushalte", area)] = (sum(len(h) == 1 for h in households.values()), len(households))
        out[("alleinerziehende_haushalte", area)] = (sum(sum(a >= 18 for a in h) == 1 for h in with_kids),
                                                     len(with_kids))
    return out
