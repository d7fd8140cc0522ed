"""What the forecast starts from, read from the warehouse the last build left (its Datenstand): the
population at each year end of the base period and that period's births, deaths and moves, by Gemeinde,
sex and age at the end of the calendar year (= year − birth year: a cohort ages by one each step).

Everything stays aggregate counts in memory; no person-level row leaves the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from kernel.build_db import open_build_db
from kernel.reference import gemeinden
from prognose.annahmen import MAX_ALTER

A = MAX_ALTER + 1  # ages 0 … 99 and the open class 100+
MUTTER_ALTER = (15, 49)  # the ages at which the registry's households can name a newborn's mother
# age groups within which a Gemeinde's migration level and its movers' destinations are estimated
WANDERUNG_GRUPPEN = ((0, 5), (6, 17), (18, 24), (25, 29), (30, 44), (45, 64), (65, 79), (80, MAX_ALTER))


class PrognoseError(RuntimeError):
    """The forecast cannot be computed from this lake (the message says why)."""


@dataclass(frozen=True)
class Basisdaten:
    basisjahr: int  # the base Stichtag is 31.12. of this year
    jahre: tuple[int, ...]  # the base period's calendar years, oldest first
    gemeinden: tuple[str, ...]  # AGS, the index of axis G
    bestand: np.ndarray  # [len(jahre) + 1, G, 2, A]: residents at 31.12. of basisjahr − len(jahre) … basisjahr
    geburten: np.ndarray  # [len(jahre), G, 2]: live births by the child's sex
    geburten_mutter: np.ndarray  # [A]: births of the base period whose mother the household names, by her age
    sterbefaelle: np.ndarray  # [len(jahre), G, 2, A]
    zuzug_aussen: np.ndarray  # [len(jahre), G, 2, A]: moves in from outside the Kreis
    fortzug_aussen: np.ndarray  # [len(jahre), G, 2, A]
    umzug_weg: np.ndarray  # [len(jahre), G, 2, A]: moves to another Gemeinde of the Kreis, by origin
    umzug_ziele: np.ndarray  # [G from, G to, len(WANDERUNG_GRUPPEN)]: the base period's moves by destination


def _counts(source: str, day: str, areas: str, where: str) -> str:
    """Grouped counts (jahr, areas…, alter, weight m, weight w) of `source`: d and x count half to each sex;
    age at the end of the calendar year, the open class 100+ last."""
    return f"""
        select year({day}) as jahr, {areas}, least(greatest(year({day}) - geburtsjahr, 0), {MAX_ALTER}) as alter,
            sum(case geschlecht when 'm' then 1.0 when 'w' then 0.0 else 0.5 end)::double as w_m,
            sum(case geschlecht when 'w' then 1.0 when 'm' then 0.0 else 0.5 end)::double as w_w
        from {source}
        where {where}
        group by all"""


def _cube(con: duckdb.DuckDBPyConnection, sql: str, shape: tuple[int, ...], index: dict[str, int],
          first_year: int) -> np.ndarray:
    """The grouped rows (jahr, ags…, alter, w_m, w_w) of `sql` (see _counts) as an array [jahr, ags…, sex, alter]."""
    target = np.zeros(shape)
    for year, *ags, age, w_m, w_w in con.execute(sql).fetchall():
        if any(a not in index for a in ags):
            continue  # a Gemeinde outside the region (a delivery error is quarantined, not projected)
        at = (year - first_year, *(index[a] for a in ags))
        target[(*at, 0, age)] += w_m
        target[(*at, 1, age)] += w_w
    return target


def read_basisdaten(warehouse: Path, basis: dt.date, jahre: int) -> Basisdaten:
    if (basis.month, basis.day) != (12, 31):
        raise PrognoseError(f"Basisstichtag {basis} ist kein 31.12.: die Vorausberechnung rechnet in Kalenderjahren")
    if not warehouse.exists():
        raise PrognoseError(f"kein Warehouse {warehouse}: erst einen Stichtag bauen (`stichtag materialise`)")
    ags = tuple(sorted(g.ags for g in gemeinden()))
    index = {a: i for i, a in enumerate(ags)}
    years = tuple(range(basis.year - jahre + 1, basis.year + 1))
    g = len(ags)
    con = open_build_db(warehouse)
    try:
        con.execute("set threads = 2")
        first_report, last_report = con.execute(
            "select min(meldedatum), max(meldedatum) from intermediate.int_ereignisse_bereinigt").fetchone()
        if last_report is None or last_report < basis:
            raise PrognoseError(f"die Änderungsmeldungen im Warehouse reichen nicht bis zum Basisstichtag {basis} "
                                f"(letzte Meldung {last_report}): erst einen späteren Stichtag bauen")
        # the registry's changes start with its first monthly delivery: only whole calendar years after it
        first_full = first_report.year + (0 if (first_report.month, first_report.day) <= (1, 31) else 1)
        years = tuple(y for y in years if y >= first_full)
        if not years:
            raise PrognoseError(f"vor dem Basisstichtag {basis} liegt kein ganzes Kalenderjahr mit "
                                f"Änderungsmeldungen (erste Meldung {first_report})")
        first, n = years[0] - 1, len(years)
        stichtage = f"(select make_date(y::int, 12, 31) as tag from range({first}, {basis.year + 1}) t(y))"
        bestand = _cube(con, _counts(f"intermediate.int_wohnzeitraeume join {stichtage} on true", "tag",
                                     "gemeinde_ags", "gueltig_ab <= tag and tag < gueltig_bis"),
                        (n + 1, g, 2, A), index, first)
        in_years = f"year(ereignisdatum) between {years[0]} and {years[-1]}"
        events = "intermediate.int_ereignisse_bereinigt"

        def per_year(source: str, areas: str, where: str, shape: tuple[int, ...] = (n, g, 2, A)) -> np.ndarray:
            return _cube(con, _counts(source, "ereignisdatum", areas, f"{where} and {in_years}"), shape, index,
                         years[0])

        sterbefaelle = per_year(events, "gemeinde_ags", "ereignisart = 'Tod'")
        geburten = per_year(events, "gemeinde_ags", "ereignisart = 'Geburt'").sum(axis=3)
        # the mother: the one woman of fertile age in the newborn's household on the birth date (the registry
        # has no parent link; a household of one address and one family name is how municipal statistics
        # find it). Births where none or several qualify are left out of the age profile only.
        mutter = np.zeros(A)
        for age, count in con.execute(f"""
            with geburten as (
                select person_pseudonym, haushalt_pseudonym, ereignisdatum
                from {events}
                where ereignisart = 'Geburt' and {in_years}
            ),
            kandidatinnen as (
                select g.person_pseudonym, any_value(year(g.ereignisdatum) - w.geburtsjahr) as alter,
                    count(distinct w.person_pseudonym) as anzahl
                from geburten as g
                join intermediate.int_wohnzeitraeume as w
                    on w.haushalt_pseudonym = g.haushalt_pseudonym and w.geschlecht = 'w'
                    and w.gueltig_ab <= g.ereignisdatum and g.ereignisdatum < w.gueltig_bis
                    and year(g.ereignisdatum) - w.geburtsjahr between {MUTTER_ALTER[0]} and {MUTTER_ALTER[1]}
                    and w.person_pseudonym <> g.person_pseudonym
                group by g.person_pseudonym
            )
            select alter, count(*) from kandidatinnen where anzahl = 1 group by alter""").fetchall():
            mutter[int(age)] += float(count)
        moves = "intermediate.int_wanderungen"
        zuzug = per_year(moves, "nach_gemeinde_ags", "von_gemeinde_ags is null")
        fortzug = per_year(moves, "von_gemeinde_ags", "nach_gemeinde_ags is null")
        inside = "von_gemeinde_ags is not null and nach_gemeinde_ags is not null"
        umzug_weg = per_year(moves, "von_gemeinde_ags", inside)
        # destinations by age group only: a Gemeinde × Gemeinde × single-age cube is 10 GB at Land scale
        gruppe = "case " + " ".join(f"when alter <= {hi} then {i}"
                                    for i, (_, hi) in enumerate(WANDERUNG_GRUPPEN)) + " end"
        umzug_ziele = np.zeros((g, g, len(WANDERUNG_GRUPPEN)))
        for von, nach, group, count in con.execute(f"""
                select von_gemeinde_ags, nach_gemeinde_ags, {gruppe}, sum(w_m + w_w)
                from ({_counts(moves, "ereignisdatum", "von_gemeinde_ags, nach_gemeinde_ags",
                               f"{inside} and {in_years}")})
                group by all""").fetchall():
            if von in index and nach in index:
                umzug_ziele[index[von], index[nach], group] += count
    finally:
        con.close()
    return Basisdaten(basis.year, years, ags, bestand, geburten, mutter, sterbefaelle, zuzug, fortzug, umzug_weg,
                      umzug_ziele)
