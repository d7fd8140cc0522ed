"""Official statistics as the offices publish them, for the Kreis's Gemeinden, the Kreis, the Land and Germany.

Three formats, exactly as downloaded (layouts: ../shared/domain/source-formats.md):
* GENESIS flat-file CSV ("ffcsv"), zipped, UTF-8 with BOM: population by sex and age group (31.12.), births,
  deaths, migration (years), children in day care (1 March), school leavers by qualification;
* a Regionaldatenbank table CSV (Latin-1, title block, indented names, footnotes): population by sex;
* Federal Employment Agency (BA) Excel workbooks: unemployed by Gemeinde, Kreis, Land, Bund (December and the
  latest month), `* ` for suppressed small numbers, `- ` for none, `x` for rates not published.

The Kreis's figures come from the same simulation as the internal deliveries, but as official statistics
count them: the Fortschreibung differs from the registry by a little (as in reality); the Land and Bund
figures follow the vendored anchors in generator/official_figures.py.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import numpy as np

from generator import official_figures as fig
from generator.files import place
from generator.melderegister import Delivery
from generator.population import EPOCH, FORTZUG, GEBURT, TOD, UMZUG, ZUZUG, Simulation
from generator.snapshots import BirthDates, Residents, person_hash

SOURCE_DIR = "amtlich"
AGE_GROUPS = (("ALT000B03", "unter 3 Jahre", 0, 2), ("ALT003B06", "3 bis unter 6 Jahre", 3, 5),
              ("ALT006B10", "6 bis unter 10 Jahre", 6, 9), ("ALT010B15", "10 bis unter 15 Jahre", 10, 14),
              ("ALT015B18", "15 bis unter 18 Jahre", 15, 17), ("ALT018B20", "18 bis unter 20 Jahre", 18, 19),
              ("ALT020B25", "20 bis unter 25 Jahre", 20, 24), ("ALT025B65", "25 bis unter 65 Jahre", 25, 64),
              ("ALT065B80", "65 bis unter 80 Jahre", 65, 79), ("ALT080UM", "80 Jahre und mehr", 80, 200))
SEXES = (("GESM", "männlich"), ("GESW", "weiblich"))


def ff_header(k: int) -> str:
    """The exact ffcsv header for k classifying variables, with the quality column (quality=on)."""
    variables = ";".join(f"{i}_variable_code;{i}_variable_label;{i}_variable_attribute_code;"
                         f"{i}_variable_attribute_label" for i in range(1, k + 1))
    return (f"statistics_code;statistics_label;time_code;time_label;time;{variables};"
            "value;value_unit;value_variable_code;value_variable_label;value_q")


# how official counts differ from the registry: the Fortschreibung lags moves and de-registrations
OFFICIAL_DEVIATION = (-0.015, 0.004)


def _group_of(age: np.ndarray) -> np.ndarray:
    bounds = np.array([g[2] for g in AGE_GROUPS[1:]])
    return np.searchsorted(bounds, age, side="right")


def _num(v: float, decimals: int = 0) -> str:
    """German number as GENESIS writes it: decimal comma, no thousands separator, `-` for exactly zero."""
    if decimals == 0:
        return "-" if round(v) == 0 else str(int(round(v)))
    return f"{v:.{decimals}f}".replace(".", ",")


class OfficialSim:
    def __init__(self, sim: Simulation, births: BirthDates) -> None:
        self.sim = sim
        self.births = births
        n_gem = len(sim.gemeinden)
        self.deviation = OFFICIAL_DEVIATION[0] + person_hash(np.arange(n_gem), 41) * (
            OFFICIAL_DEVIATION[1] - OFFICIAL_DEVIATION[0])
        self.population: dict[int, np.ndarray] = {}  # year → [gem, sex, group] at 31.12.
        self.pop_15_64: dict[tuple[int, int], np.ndarray] = {}  # (year, month) → per gem
        self.pop_17: dict[int, np.ndarray] = {}
        self.pop_15_24: dict[tuple[int, int], np.ndarray] = {}

    def observe(self, res: Residents) -> None:
        date = res.state.date
        n_gem = len(self.sim.gemeinden)
        if date.month == 12:
            sex = np.minimum(self.sim.persons.sex[res.idx], 1)  # diverse counted with women, as Destatis does
            cube = np.zeros((n_gem, 2, len(AGE_GROUPS)))
            np.add.at(cube, (res.gem, sex, _group_of(res.age)), 1)
            factor = 1 + self.deviation
            self.population[date.year] = np.round(cube * factor[:, None, None])
            self.pop_17[date.year] = np.bincount(res.gem[res.age == 17], minlength=n_gem)
        self.pop_15_64[(date.year, date.month)] = np.bincount(res.gem[(res.age >= 15) & (res.age < 65)],
                                                              minlength=n_gem)
        self.pop_15_24[(date.year, date.month)] = np.bincount(res.gem[(res.age >= 15) & (res.age < 25)],
                                                              minlength=n_gem)

    # ------------------------------------------------------------------------------------------ deliveries

    def deliveries(self, inbox: Path, kita_spells, last: tuple[int, int]) -> list[tuple[str, callable]]:
        # the population from the Bestand's 31.12.2014 (the year before's, for rates over a mean population);
        # the statistics of events and the rest from 2015
        with_bestand = sorted(self.population)
        years = [y for y in with_bestand if y >= 2015]
        out = [
            ("12411-02-03-4", lambda: self._population_ffcsv(inbox, with_bestand)),
            ("12612-01-01-4", lambda: self._events_ffcsv(inbox, years, "12612", GEBURT)),
            ("12613-01-01-4", lambda: self._events_ffcsv(inbox, years, "12613", TOD)),
            ("12711-01-03-4", lambda: self._migration_ffcsv(inbox, years)),
            ("22543-01-02-4", lambda: self._care_ffcsv(inbox, kita_spells, last)),
            ("21111-01-03-4", lambda: self._leavers_ffcsv(inbox, years)),
            ("22711-01-01-4", lambda: self._disabled_ffcsv(inbox, years)),
            ("12411-01-01-5", lambda: self._population_table(inbox, with_bestand)),
            ("31231-02-01-5", lambda: self._living_space_ffcsv(inbox, years)),
            ("31121-01-02-5", lambda: self._completions_ffcsv(inbox, years)),
        ]
        out += [(f"BA_SVB_{y}06", lambda y=y: self._ba_employment_workbook(inbox, y))
                for y in years if (y, 6) in self.pop_15_64]
        months = [(y, 12) for y in years] + ([last] if last[1] != 12 else [])
        out += [(f"BA_{y}{m:02d}", lambda y=y, m=m: self._ba_workbook(inbox, y, m)) for y, m in months]
        return out

    def _regions(self) -> list[tuple[str, str, str, str]]:
        """(variable code, variable label, region code, label) from Germany down to the Gemeinden."""
        kreis = self.sim.gemeinden[0].kreis_ags
        return ([("DINSG", "Deutschland", "DG", "Deutschland"), ("DLAND", "Bundesländer", "01", "Schleswig-Holstein"),
                 ("KREISE", "Kreise und kreisfreie Städte", kreis, "Pinneberg, Kreis")]
                + [("GEMEIN", "Gemeinden", g.ags, g.name) for g in self.sim.gemeinden])

    def _scaled(self, code: str, year: int) -> tuple[float, float, float, float, float]:
        """Land/Bund population, share u18, 65+, 80+, u20 in `year`."""
        return (fig.at(fig.POPULATION[code], year), fig.at(fig.SHARE_U18[code], year),
                fig.at(fig.SHARE_65PLUS[code], year), fig.at(fig.SHARE_80PLUS[code], year),
                fig.at(fig.SHARE_U20[code], year))

    def _cube(self, code: str, year: int) -> np.ndarray:
        """[sex, group] population of a region in a year."""
        if code not in ("DG", "01"):
            cube = self.population[year]
            return cube.sum(axis=0) if len(code) == 5 else cube[self._gem_index(code)]
        # the Land and Bund follow their anchors; the split inside the broad groups is the Kreis's
        total, u18, p65, p80, u20 = self._scaled(code, year)
        kreis = self.population[year].sum(axis=(0, 1))
        parts = np.zeros(len(AGE_GROUPS))
        for lo, hi, share in ((0, 5, u18), (5, 6, u20 - u18), (6, 8, 1 - u20 - p65), (8, 9, p65 - p80), (9, 10, p80)):
            w = kreis[lo:hi] / max(kreis[lo:hi].sum(), 1)
            parts[lo:hi] = share * total * w
        male = fig.MALE_SHARE[code]
        return np.round(np.array([parts * male, parts * (1 - male)]))

    def _gem_index(self, ags: str) -> int:
        return next(i for i, g in enumerate(self.sim.gemeinden) if g.ags == ags)

    def _region_rows(self, stat: tuple[str, str], time: tuple[str, str, str], extra: list[tuple[str, str, str, str]],
                     values: dict[str, str], measure: tuple[str, str, str], quality: str = "e") -> list[str]:
        """One ffcsv line per region: `values` maps region code → the value text."""
        rows = []
        for var, var_label, code, name in self._regions():
            if code not in values:
                continue
            cells = [stat[0], stat[1], *time, var, var_label, code, name]
            for v in extra:
                cells += list(v)
            q = quality if values[code][0].isdigit() or values[code].startswith("-0") else ""
            cells += [values[code], measure[0], measure[1], measure[2], q]
            rows.append(";".join(cells))
        return rows

    def _codes(self) -> list[str]:
        return [r[2] for r in self._regions()]

    def _population_ffcsv(self, inbox: Path, years: list[int]) -> Delivery:
        rows = []
        stat = ("12411", "Fortschreibung des Bevölkerungsstandes")
        for year in years:
            cubes = {c: self._cube(c, year) for c in self._codes()}
            for si, (scode, slabel) in enumerate(SEXES):
                for gi, (gcode, glabel, _, _) in enumerate(AGE_GROUPS):
                    rows += self._region_rows(
                        stat, ("STAG", "Stichtag", f"{year}-12-31"),
                        [("GES", "Geschlecht", scode, slabel), ("ALTX10", "Altersgruppen (Auswahl)", gcode, glabel)],
                        {c: _num(cube[si, gi]) for c, cube in cubes.items()},
                        ("Anzahl", "BEVSTD", "Bevölkerungsstand"), "p" if year == years[-1] else "e")
        return self._ffcsv(inbox, "12411-02-03-4", ff_header(3), rows, years[-1])

    def _yearly_events(self, kinds: tuple[int, ...], year: int, gem_after: bool) -> np.ndarray:
        ev = self.sim.events
        day0 = (dt.date(year, 1, 1) - EPOCH).days
        day1 = (dt.date(year + 1, 1, 1) - EPOCH).days
        sel = np.isin(ev["kind"], kinds) & (ev["day"] >= day0) & (ev["day"] < day1)
        return np.bincount(ev["gem"][sel], minlength=len(self.sim.gemeinden)).astype(float)

    def _per_region(self, code_values: np.ndarray, year: int, rates: dict | None) -> dict[str, str]:
        """Gemeinde counts → values for every region (Kreis = sum; Land/Bund = rate × population)."""
        out = {g.ags: _num(v) for g, v in zip(self.sim.gemeinden, code_values, strict=True)}
        out[self.sim.gemeinden[0].kreis_ags] = _num(code_values.sum())
        if rates is not None:
            for code in ("01", "DG"):
                out[code] = _num(fig.at(rates[code], year) / 1000 * fig.at(fig.POPULATION[code], year))
        return out

    def _events_ffcsv(self, inbox: Path, years: list[int], stat_code: str, kind: int) -> Delivery:
        births = kind == GEBURT
        stat = (stat_code, "Statistik der Geburten" if births else "Statistik der Sterbefälle")
        measure = ("Anzahl", "BEV001" if births else "BEV002", "Lebendgeborene" if births else "Gestorbene")
        rates = fig.BIRTHS_PER_1000 if births else fig.DEATHS_PER_1000
        rows = []
        for year in years:
            # the newest year is provisional; Land and Bund publish it later than the Kreis (`...`)
            values = self._per_region(self._yearly_events((kind,), year, True), year, rates)
            if year == years[-1]:
                values["DG"] = "..."
            rows += self._region_rows(stat, ("JAHR", "Jahr", str(year)), [], values, measure,
                                      "p" if year == years[-1] else "e")
        return self._ffcsv(inbox, f"{stat_code}-01-01-4", ff_header(1), rows, years[-1])

    def _migration_ffcsv(self, inbox: Path, years: list[int]) -> Delivery:
        stat = ("12711", "Wanderungsstatistik")
        ev = self.sim.events
        rows = []
        for year in years:
            day0, day1 = ((dt.date(y, 1, 1) - EPOCH).days for y in (year, year + 1))
            in_year = (ev["day"] >= day0) & (ev["day"] < day1)
            # over the Gemeinde border: from outside the Kreis, or from another Gemeinde (Umzug across)
            prev = self._previous_gem(in_year)
            moved = np.isin(ev["kind"], (ZUZUG, UMZUG, FORTZUG)) & in_year
            arrive = moved & (ev["kind"] != FORTZUG) & (prev != ev["gem"])
            leave = moved & (prev >= 0) & ((ev["kind"] == FORTZUG) | (prev != ev["gem"]))
            n = len(self.sim.gemeinden)
            ins = np.bincount(ev["gem"][arrive], minlength=n).astype(float)
            outs = np.bincount(prev[leave], minlength=n).astype(float)
            for code_v, label, counts, rates, kreis_kind in (
                    ("BEV081", "Zuzüge über die Gemeindegrenzen", ins, fig.IN_PER_1000, ZUZUG),
                    ("BEV082", "Fortzüge über die Gemeindegrenzen", outs, fig.OUT_PER_1000, FORTZUG)):
                values = self._per_region(counts, year, rates)
                # the Kreis counts only moves over its own border
                values[self.sim.gemeinden[0].kreis_ags] = _num(((ev["kind"] == kreis_kind) & in_year).sum())
                rows += self._region_rows(stat, ("JAHR", "Jahr", str(year)), [], values, ("Anzahl", code_v, label))
        return self._ffcsv(inbox, "12711-01-03-4", ff_header(1), rows, years[-1])

    def _previous_gem(self, mask: np.ndarray) -> np.ndarray:
        """For each event, the person's Gemeinde before it (-1: not resident), by replaying in order."""
        if not hasattr(self, "_prev"):
            ev = self.sim.events
            order = np.lexsort((np.arange(len(ev["day"])), ev["day"]))
            prev = np.full(len(order), -1, dtype=np.int64)
            where = np.full(len(self.sim.persons.sex), -1, dtype=np.int64)
            where[self.sim.bestand] = self.sim.bestand_state["gem"]
            person, kind, gem = ev["person"][order], ev["kind"][order], ev["gem"][order]
            for i in range(len(order)):
                p = person[i]
                prev[order[i]] = where[p]
                where[p] = -1 if kind[i] in (FORTZUG, TOD) else gem[i]
            self._prev = prev
        return self._prev

    def _care_ffcsv(self, inbox: Path, spells, last: tuple[int, int]) -> Delivery:
        stat = ("22543", "Statistik der Kinder und tätigen Personen in Tageseinrichtungen und Tagespflege")
        rows = []
        n = len(self.sim.gemeinden)
        for year in range(2015, last[0] + (1 if last[1] >= 3 else 0)):
            day = (dt.date(year, 3, 1) - EPOCH).days
            on = spells.overlapping(day, day)
            on = on[(spells.category[on] // 10_000) != 3]  # Hort children are school children
            person = spells.unit[on]
            end = dt.date(year, 3, 1)
            age = end.year - self.births.year[person] - ((end.month * 100 + end.day) < self.births.month_day[person])
            gem = spells.attrs["gem"][on]
            for gcode, glabel, lo, hi, quote in (("ALT000B03", "unter 3 Jahre", 0, 2, fig.CARE_U3),
                                                  ("ALT003B06", "3 bis unter 6 Jahre", 3, 5, fig.CARE_3TO6)):
                counts = np.bincount(gem[(age >= lo) & (age <= hi)], minlength=n).astype(float)
                values = {g.ags: _num(v) for g, v in zip(self.sim.gemeinden, counts, strict=True)}
                values[self.sim.gemeinden[0].kreis_ags] = _num(counts.sum())
                for code in ("01", "DG"):
                    cube = self._cube(code, max(year - 1, min(self.population)))
                    gi = [a[0] for a in AGE_GROUPS].index(gcode)
                    values[code] = _num(fig.at(quote[code], year) * cube[:, gi].sum())
                rows += self._region_rows(stat, ("STAG", "Stichtag", f"{year}-03-01"),
                                          [("ALTX10", "Altersgruppen (Auswahl)", gcode, glabel)], values,
                                          ("Anzahl", "KTB001", "Kinder in Kindertagesbetreuung"))
        return self._ffcsv(inbox, "22543-01-02-4", ff_header(2), rows, last[0] - 1)

    def _leavers_ffcsv(self, inbox: Path, years: list[int]) -> Delivery:
        stat = ("21111", "Statistik der allgemeinbildenden Schulen")
        kreis = self.sim.gemeinden[0].kreis_ags
        rows = []
        for year in years:
            total = {kreis: float(self.pop_17[year].sum())}
            for code in ("01", "DG"):
                total[code] = fig.at(fig.POPULATION[code], year) * 0.0105
            for acode, alabel, shares in (("", "Insgesamt", None),
                                          ("ABSCHL01", "ohne Ersten Schulabschluss", fig.LEAVERS_WITHOUT),
                                          ("ABSCHL05", "mit allgemeiner Hochschulreife", fig.LEAVERS_ABITUR)):
                values = {c: _num(t * (shares[c] if shares else 1)) for c, t in total.items()}
                # by Gemeinde the school statistics publish nothing: the cell is locked (`x`)
                values.update({g.ags: "x" for g in self.sim.gemeinden})
                if year == years[-1]:
                    values = {c: "..." for c in values}  # the school year's results come later
                rows += self._region_rows(stat, ("JAHR", "Jahr", str(year)),
                                          [("ABSCHL", "Abschlussart", acode, alabel)], values,
                                          ("Anzahl", "SCH010", "Absolventen und Abgänger"))
        return self._ffcsv(inbox, "21111-01-03-4", ff_header(2), rows, years[-1])

    def _disabled_ffcsv(self, inbox: Path, years: list[int]) -> Delivery:
        """Schwerbehinderte on 31.12. of odd years (the survey is biennial), Kreis and above only."""
        stat = ("22711", "Statistik der schwerbehinderten Menschen")
        kreis = self.sim.gemeinden[0].kreis_ags
        rows = []
        for year in (y for y in years if y % 2 == 1):
            values = {code: _num(fig.at(fig.SEVERELY_DISABLED[code if code in ("01", "DG") else "01056"], year)
                                 * self._cube(code, year).sum()) for code in ("DG", "01", kreis)}
            rows += self._region_rows(stat, ("STAG", "Stichtag", f"{year}-12-31"), [], values,
                                      ("Anzahl", "SBH001", "Schwerbehinderte Menschen"))
        return self._ffcsv(inbox, "22711-01-01-4", ff_header(1), rows, years[-1])

    def _town_factor(self, big: float, mid: float, small: float) -> np.ndarray:
        return np.array([big if g.population_2022 >= 20_000 else mid if g.population_2022 >= 5_000 else small
                         for g in self.sim.gemeinden])

    def _living_space_ffcsv(self, inbox: Path, years: list[int]) -> Delivery:
        """Wohnfläche in Wohn- und Nichtwohngebäuden on 31.12. in 100 m², every Gemeinde and above."""
        stat = ("31231", "Fortschreibung des Wohngebäude- und Wohnungsbestandes")
        kreis = self.sim.gemeinden[0].kreis_ags
        # villages have more space per resident than towns
        per_head = self._town_factor(0.95, 1.03, 1.12) * (0.97 + 0.06 * person_hash(np.arange(len(
            self.sim.gemeinden)), 44))
        rows = []
        for year in years:
            kreis_m2 = fig.at(fig.LIVING_SPACE_M2["01056"], year)
            pop = self.population[year].sum(axis=(1, 2))
            gem = pop * kreis_m2 * per_head / max((pop * per_head).sum() / max(pop.sum(), 1), 1e-9)
            values = {g.ags: _num(gem[i] / 100) for i, g in enumerate(self.sim.gemeinden)}
            values[kreis] = _num(sum(round(v / 100) for v in gem))
            for code in ("01", "DG"):
                values[code] = _num(fig.at(fig.LIVING_SPACE_M2[code], year) * self._cube(code, year).sum() / 100)
            rows += self._region_rows(stat, ("STAG", "Stichtag", f"{year}-12-31"), [], values,
                                      ("100 m²", "FLC006", "Wohnfläche"))
        return self._ffcsv(inbox, "31231-02-01-5", ff_header(1), rows, years[-1])

    def _completions_ffcsv(self, inbox: Path, years: list[int]) -> Delivery:
        """Completed dwellings (new and converted buildings) in the year, every Gemeinde and above."""
        stat = ("31121", "Statistik der Baufertigstellungen")
        kreis = self.sim.gemeinden[0].kreis_ags
        n = len(self.sim.gemeinden)
        rows = []
        for year in years:
            pop = self.population[year].sum(axis=(1, 2))
            # building comes in projects: a Gemeinde's year is lumpy
            lumpy = 0.2 + 1.6 * person_hash(np.arange(n) + year * 1000, 45) ** 2
            gem = np.round(pop / 1000 * fig.at(fig.DWELLINGS_PER_1000["01056"], year) * lumpy
                           / max((pop * lumpy).sum() / max(pop.sum(), 1), 1e-9))
            values = {g.ags: _num(gem[i]) for i, g in enumerate(self.sim.gemeinden)}
            values[kreis] = _num(gem.sum())
            for code in ("01", "DG"):
                values[code] = _num(fig.at(fig.DWELLINGS_PER_1000[code], year) * self._cube(code, year).sum() / 1000)
            rows += self._region_rows(stat, ("JAHR", "Jahr", str(year)), [], values,
                                      ("Anzahl", "BAU008", "Wohnungen"))
        return self._ffcsv(inbox, "31121-01-02-5", ff_header(1), rows, years[-1])

    def _ffcsv(self, inbox: Path, table: str, header: str, rows: list[str], year: int) -> Delivery:
        delivered = dt.date(year + 1, 6, 30)
        stem = f"{table}_{int(dt.datetime.combine(delivered, dt.time(9), tzinfo=dt.UTC).timestamp() * 1000)}_de_flat"
        text = header + "\n" + "\n".join(rows) + "\n"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo(f"{stem}.csv", date_time=(delivered.year, delivered.month, delivered.day, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, b"\xef\xbb\xbf" + text.encode("utf-8"))
        path = inbox / SOURCE_DIR / f"{stem}.zip"
        place(path, buf.getvalue(), delivered)
        return Delivery(path, len(rows))

    def _population_table(self, inbox: Path, years: list[int]) -> Delivery:
        """Regionaldatenbank table download (variant A: years side by side), Latin-1, as of 2017 files."""
        shown = list(reversed(years))
        width = 2 + 3 * len(shown)
        pad = ";" * (width - 1)
        lines = ["GENESIS-Tabelle: 12411-01-01-5", f"Bevölkerungsstand: Bevölkerung nach Geschlecht{pad}",
                 f"- Stichtag 31.12. -{pad}", f"regionale Tiefe: Gemeinden{pad}",
                 f"Fortschreibung des Bevölkerungsstandes{pad}", f"Bevölkerungsstand (Anzahl){pad}",
                 ";;" + ";".join(f"31.12.{y};31.12.{y};31.12.{y}" for y in shown),
                 ";;" + ";".join("Insgesamt;männlich;weiblich" for _ in shown)]
        indent = {"DG": "", "01": "  ", self.sim.gemeinden[0].kreis_ags: "      "}
        for _, _, code, name in self._regions():
            cells = []
            for y in shown:
                cube = self._cube(code, y)
                m, w = cube[0].sum(), cube[1].sum()
                cells += [_num(m + w), _num(m), _num(w)]
            lines.append(f"{code};{indent.get(code, '        ')}{name};" + ";".join(cells))
        lines += ["__________", '"zu ""gesamter Tabelle"":', 'ab dem Berichtsjahr 2011: nach dem Zensus 2011"',
                  f'"© Statistische Ämter des Bundes und der Länder, Deutschland, {years[-1] + 1}.',
                  "Dieses Werk ist lizensiert unter der Datenlizenz Deutschland", '- Namensnennung - Version 2.0."',
                  f"Stand: 30.06.{years[-1] + 1} / 09:00:00"]
        delivered = dt.date(years[-1] + 1, 6, 30)
        path = inbox / SOURCE_DIR / "12411-01-01-5.csv"
        place(path, ("\r\n".join(lines) + "\r\n").encode("latin-1"), delivered)
        return Delivery(path, len(self._regions()))

    def _ba_workbook(self, inbox: Path, year: int, month: int) -> Delivery:
        """BA 'Arbeitsmarkt in Zahlen' table: title block, header rows 6-8, data from row 9, © line, footnotes."""
        import xlsxwriter

        n = len(self.sim.gemeinden)
        base = self.pop_15_64[(year, month)].astype(float)
        youth_base = self.pop_15_24[(year, month)].astype(float)
        kreis_rate = fig.at({2014: 5.4, 2015: 5.2, 2016: 5.2, 2017: 5.0, 2022: 4.9, 2023: 5.2, 2024: 5.5}, year)
        town = np.array([1.4 if g.population_2022 >= 20_000 else 1.0 if g.population_2022 >= 5_000 else 0.7
                         for g in self.sim.gemeinden])
        # unemployed ≈ rate × labour force (≈ 78 % of residents aged 15-64), more in towns
        jitter = 0.9 + 0.2 * person_hash(np.arange(n) + year * 100 + month, 43)
        total = np.round(base * 0.78 * kreis_rate / 100 * town * jitter)
        sgb2 = np.round(total * 0.62)
        youth = np.round(youth_base * 0.78 * kreis_rate / 100 * 0.85 * jitter)
        long_term = np.round(total * 0.35)
        rows = []  # (key, name, [insgesamt, sgb3, sgb2, jugend, langzeit], quote)
        for code in ("DG", "01"):
            rate = fig.at(fig.UNEMPLOYMENT_RATE[code], year)
            labour = fig.at(fig.POPULATION[code], year) * 0.64 * 0.78
            t = round(labour * rate / 100)
            rows.append((code if code == "01" else "D", "Deutschland" if code == "DG" else "Schleswig-Holstein",
                         [t, round(t * 0.38), round(t * 0.62), round(t * 0.09), round(t * 0.36)], f"{rate:.1f}"))
        kreis_total = total.sum()
        kreis_labour = base.sum() * 0.78
        rows.append((self.sim.gemeinden[0].kreis_ags, "Pinneberg",
                     [kreis_total, kreis_total - sgb2.sum(), sgb2.sum(), youth.sum(), long_term.sum()],
                     f"{kreis_total / kreis_labour * 100:.1f}"))
        for i, g in enumerate(self.sim.gemeinden):
            rows.append((g.ags, g.name, [total[i], total[i] - sgb2[i], sgb2[i], youth[i], long_term[i]], "x"))

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        wb.set_properties({"created": dt.datetime(year + month // 12, month % 12 + 1, 10, 8, 0)})
        for name in ("Deckblatt", "Impressum"):
            wb.add_worksheet(name).write(0, 0, "Statistik der Bundesagentur für Arbeit")
        ws = wb.add_worksheet("Gemeinden")
        ws.write(0, 0, "Arbeitsmarkt in Zahlen – Arbeitslose nach Gemeinden")
        ws.write(1, 0, "Schleswig-Holstein, Kreis Pinneberg")
        ws.write(2, 0, f"Berichtsmonat: {MONTHS_DE[month - 1]} {year}")
        ws.write(3, 0, f"Erstellungsdatum: 10.{month % 12 + 1:02d}.{year + month // 12}")
        ws.write_row(5, 0, ["Region", "", "Arbeitslose", "", "", "", "", "Arbeitslosenquote"])
        ws.write_row(6, 0, ["", "", "Insgesamt", "SGB III", "SGB II", "15 bis unter 25 Jahre", "Langzeitarbeitslose",
                            "bezogen auf alle zivilen Erwerbspersonen"])
        ws.write_row(7, 0, ["", "", 1, 2, 3, 4, 5, 6])
        r = 8
        for key, name, counts, quote in rows:
            cells = [_ba_cell(v) for v in counts]
            # secondary suppression: SGB III + SGB II = total, so one suppressed part reveals the other
            if isinstance(cells[1], str) != isinstance(cells[2], str) and "* " in (cells[1], cells[2]):
                cells[1] = cells[2] = "* "
            ws.write_row(r, 0, [key, name, *cells, float(quote) if quote != "x" else "x"])
            r += 1
        ws.write(r + 1, 0, "© Statistik der Bundesagentur für Arbeit")
        ws.write(r + 2, 0, "Fußnoten: * Werte kleiner 3 und daraus berechenbare Werte sind anonymisiert; "
                           "- nichts vorhanden; x Quote auf Gemeindeebene nicht veröffentlicht.")
        wb.close()
        delivered = dt.date(year + month // 12, month % 12 + 1, 10)
        path = inbox / SOURCE_DIR / f"BA_ALO_GEMEINDEN_{year}{month:02d}.xlsx"
        place(path, buf.getvalue(), delivered)
        return Delivery(path, len(rows) * 6)

    def _ba_employment_workbook(self, inbox: Path, year: int) -> Delivery:
        """BA table of employees subject to social insurance (SvB) at the place of residence and of work, and
        commuters over the Gemeinde's (Kreis's, Land's) border, on 30 June; same anchors as the unemployment
        table, `Stichtag: 30. Juni <Jahr>` instead of a Berichtsmonat."""
        import xlsxwriter

        n = len(self.sim.gemeinden)
        base = self.pop_15_64[(year, 6)].astype(float)
        jitter = 0.96 + 0.08 * person_hash(np.arange(n) + year * 100, 46)
        wohnort = np.round(base * fig.at(fig.EMPLOYMENT_RATE["01056"], year) * jitter)
        # towns offer the jobs; most employees leave their village to work
        arbeitsort = np.round(wohnort * self._town_factor(1.05, 0.62, 0.3)
                              * (0.9 + 0.2 * person_hash(np.arange(n), 47)))
        aus = np.round(wohnort * self._town_factor(0.62, 0.78, 0.88))
        ein = arbeitsort - (wohnort - aus)
        rows = []  # (key, name, [Wohnort, Arbeitsort, Einpendler, Auspendler])
        for code, key, name in (("DG", "D", "Deutschland"), ("01", "01", "Schleswig-Holstein")):
            w = round(fig.at(fig.POPULATION[code], year) * 0.64 * fig.at(fig.EMPLOYMENT_RATE[code], year))
            a = round(w * fig.WORKPLACES_PER_RESIDENT_SVB[code])
            out_ = round(w * (0.02 if code == "DG" else 0.12))
            rows.append((key, name, [w, a, a - (w - out_), out_]))
        kw = wohnort.sum()
        ka = round(kw * fig.WORKPLACES_PER_RESIDENT_SVB["01056"])
        k_aus = round(kw * 0.45)  # to Hamburg above all
        rows.append((self.sim.gemeinden[0].kreis_ags, "Pinneberg", [kw, ka, ka - (kw - k_aus), k_aus]))
        for i, g in enumerate(self.sim.gemeinden):
            rows.append((g.ags, g.name, [wohnort[i], arbeitsort[i], ein[i], aus[i]]))

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        wb.set_properties({"created": dt.datetime(year + 1, 1, 20, 8, 0)})
        wb.add_worksheet("Impressum").write(0, 0, "Statistik der Bundesagentur für Arbeit")
        ws = wb.add_worksheet("Wohnort - Arbeitsort")
        ws.write(0, 0, "Sozialversicherungspflichtig Beschäftigte nach Wohn- und Arbeitsort, Pendler")
        ws.write(1, 0, "Schleswig-Holstein, Kreis Pinneberg")
        ws.write(2, 0, f"Stichtag: 30. Juni {year}")
        ws.write(3, 0, f"Erstellungsdatum: 20.01.{year + 1}")
        ws.write_row(5, 0, ["Region", "", "Sozialversicherungspflichtig Beschäftigte", "", "Pendler über die "
                            "Gemeindegrenze"])
        ws.write_row(6, 0, ["", "", "am Wohnort", "am Arbeitsort", "Einpendler", "Auspendler"])
        ws.write_row(7, 0, ["", "", 1, 2, 3, 4])
        r = 8
        for key, name, counts in rows:
            ws.write_row(r, 0, [key, name, *(_ba_cell(v) for v in counts)])
            r += 1
        ws.write(r + 1, 0, "© Statistik der Bundesagentur für Arbeit")
        ws.write(r + 2, 0, "Fußnoten: * Werte kleiner 3 sind anonymisiert; - nichts vorhanden. Pendler des Kreises "
                           "und des Landes über deren Grenze.")
        wb.close()
        delivered = dt.date(year + 1, 1, 20)
        path = inbox / SOURCE_DIR / f"BA_SVB_PENDLER_{year}06.xlsx"
        place(path, buf.getvalue(), delivered)
        return Delivery(path, len(rows) * 4)


MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")


def _ba_cell(v: float) -> float | str:
    """BA practice: 1 and 2 are suppressed (`* ` with its trailing blank), 0 is `- `."""
    v = int(round(v))
    if v == 0:
        return "- "
    if v < 3:
        return "* "
    return v
