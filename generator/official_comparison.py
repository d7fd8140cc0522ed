"""The official tables a Kreis downloads for its comparison values: Land (Schleswig-Holstein) and Bund only.

The Kreis's own figures come from its own systems; for the social report's core (poverty, youth welfare,
child care, households, citizenship) it needs the Land and Bund rows of the official statistics, in their
own definitions and at their own reference dates:

* BA Statistik der Grundsicherung für Arbeitsuchende, December and the latest month (Excel, the BA workbook
  conventions): Bedarfsgemeinschaften, persons by age, Regelleistungsberechtigte (RLB), ELB, Aufstocker, and
  the published SGB II-Quote (RLB / population under the Regelaltersgrenze, since the 2016 revision) and
  ELB-Quote (ELB / population 15 to the Regelaltersgrenze);
* GENESIS ffcsv (31.12. unless said): Grundsicherung im Alter und bei Erwerbsminderung with the quota of the
  population at or above the age limit (22151), social Mindestsicherung by benefit (22811), reine
  Wohngeldhaushalte (22311), Mikrozensus households and Einwanderungsgeschichte (12211, Land and Bund only),
  running Hilfen zur Erziehung, § 35a, § 41 with the quota per 10,000 under 21 (22517), Inobhutnahmen of
  minors a year (22523), Kindertagespflege and Ganztag on 1 March (22543), foreign nationals (12411-03),
  mean age (12411-07), area (11111).

Figures follow the vendored anchors of generator/official_figures.py; only those marked verified are real.
Table and value-variable codes of 22811-01, 22517, 22523, 22543-0010 and 12211 follow the statistics'
numbering but were not verified against a download (../shared/domain/source-formats.md §1.10 lists the
verified ones).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from generator import official_figures as fig
from generator.files import place
from generator.melderegister import Delivery
from generator.official import MONTHS_DE, SOURCE_DIR, OfficialSim, _ba_cell, _num, ff_header

AREAS = ("DG", "01")
STAG = ("STAG", "Stichtag")


def _pop(off: OfficialSim, code: str, year: int, lo: int, hi: int) -> float:
    """Population of the age groups lo … hi (indices of generator.official.AGE_GROUPS) on 31.12."""
    return float(off._cube(code, year)[:, lo:hi + 1].sum())


def _at_65(off: OfficialSim, code: str, year: int) -> float:
    """Residents aged 65 (one year of the 65-79 group), for the months of the Regelaltersgrenze beyond 65."""
    return _pop(off, code, year, 8, 8) / 15


def _below_age_limit(off: OfficialSim, code: str, year: int, from_group: int) -> float:
    return (_pop(off, code, year, from_group, 7)
            + fig.regelaltersgrenze_months(year) / 12 * _at_65(off, code, year))


class ComparisonTables:
    def __init__(self, off: OfficialSim, inbox: Path) -> None:
        self.off = off
        self.inbox = inbox
        self.years = [y for y in sorted(off.population) if y >= 2015]

    def deliveries(self, last: tuple[int, int]) -> list[tuple[str, Callable[[], Delivery]]]:
        out = [("22151-01-02-4", self._grundsicherung), ("22811-01-01-4", self._mindestsicherung),
               ("22311-01-02-4", self._wohngeld), ("12211-0101", self._mikrozensus),
               ("22517-01-01-4", self._erziehungshilfen), ("22523-01-01-4", self._inobhutnahmen),
               ("22543-0010", lambda: self._tagesbetreuung(last)), ("12411-03-03-4", self._auslaender),
               ("12411-07-01-4", self._durchschnittsalter), ("11111-01-01-4", self._flaeche)]
        months = [(y, 12) for y in self.years] + ([last] if last[1] != 12 and last[0] in self.years else [])
        # the BA publishes SGB II figures after a waiting period of three months: the newest is that old
        months = [(y, m) for y, m in months if (y, m) <= _minus_months(last, 3)]
        out += [(f"BA_SGB2_{y}{m:02d}", lambda y=y, m=m: self._sgb2_workbook(y, m)) for y, m in months]
        return out

    # ------------------------------------------------------------------------------------------ GENESIS

    def _rows(self, stat: tuple[str, str], time: tuple[str, str, str], values: dict[str, float | str],
              measure: tuple[str, str, str], extra: list[tuple[str, str, str, str]] | None = None,
              decimals: int = 0) -> list[str]:
        text = {c: v if isinstance(v, str) else _num(v, decimals) for c, v in values.items()}
        return self.off._region_rows(stat, time, extra or [], text, measure)

    def _yearly(self, table: str, stat: tuple[str, str], k: int,
                rows_of: Callable[[int], list[str]], years: list[int] | None = None) -> Delivery:
        years = years or self.years
        rows = [r for y in years for r in rows_of(y)]
        return self.off._ffcsv(self.inbox, table, ff_header(k), rows, years[-1])

    def _grundsicherung(self) -> Delivery:
        stat = ("22151", "Statistik der Empfänger von Grundsicherung im Alter und bei Erwerbsminderung")
        alter = ("LEIART", "Leistungsart", "LEIART01", "Grundsicherung im Alter")
        em = ("LEIART", "Leistungsart", "LEIART02", "Grundsicherung bei Erwerbsminderung")

        def rows(y: int) -> list[str]:
            time = (*STAG, f"{y}-12-31")
            quote = {c: fig.at(fig.GRUSI_ALTER_QUOTE[c], y) for c in AREAS}
            at_limit = {c: _pop(self.off, c, y, 8, 9) - fig.regelaltersgrenze_months(y) / 12
                        * _at_65(self.off, c, y) for c in AREAS}
            em_values = {c: fig.GRUSI_EM_PER_18_64[c] * _pop(self.off, c, y, 5, 7) for c in AREAS}
            return (self._rows(stat, time, {c: quote[c] / 100 * at_limit[c] for c in AREAS},
                               ("Anzahl", "EGS001", "Empfänger"), [alter])
                    + self._rows(stat, time, quote, ("Prozent", "EGS004", "Empfängerquote ab der Altersgrenze"),
                                 [alter], decimals=1)
                    + self._rows(stat, time, em_values, ("Anzahl", "EGS001", "Empfänger"), [em]))
        return self._yearly("22151-01-02-4", stat, 2, rows)

    def _mindestsicherung(self) -> Delivery:
        stat = ("22811", "Sozialberichterstattung: Empfänger von Mindestsicherungsleistungen")

        def rows(y: int) -> list[str]:
            time = (*STAG, f"{y}-12-31")
            out = []
            for code, label, per_area in (
                    ("MINSI01", "Regelleistungsberechtigte nach dem SGB II", lambda c: self._rlb(c, y)[0]),
                    ("MINSI02", "Hilfe zum Lebensunterhalt außerhalb von Einrichtungen (SGB XII)",
                     lambda c: fig.HLU_PER_1000[c] / 1000 * _pop(self.off, c, y, 0, 9)),
                    ("MINSI03", "Grundsicherung im Alter und bei Erwerbsminderung (SGB XII)",
                     lambda c: (fig.at(fig.GRUSI_ALTER_QUOTE[c], y) / 100 * _pop(self.off, c, y, 8, 9)
                                + fig.GRUSI_EM_PER_18_64[c] * _pop(self.off, c, y, 5, 7))),
                    ("MINSI04", "Regelleistungen nach dem Asylbewerberleistungsgesetz",
                     lambda c: fig.at(fig.ASYLBLG_PER_1000[c], y) / 1000 * _pop(self.off, c, y, 0, 9))):
                out += self._rows(stat, time, {c: per_area(c) for c in AREAS},
                                  ("Anzahl", "MSL001", "Empfänger von Mindestsicherungsleistungen"),
                                  [("MINSI1", "Art der Mindestsicherungsleistung", code, label)])
            return out
        return self._yearly("22811-01-01-4", stat, 2, rows)

    def _wohngeld(self) -> Delivery:
        stat = ("22311", "Wohngeldstatistik")
        return self._yearly("22311-01-02-4", stat, 1, lambda y: self._rows(
            stat, (*STAG, f"{y}-12-31"), {c: fig.at(fig.WOHNGELD_HOUSEHOLDS[c], y) for c in AREAS},
            ("Anzahl", "HSH009", "Reine Wohngeldhaushalte")))

    def _mikrozensus(self) -> Delivery:
        stat = ("12211", "Mikrozensus")

        def rows(y: int) -> list[str]:
            time = ("JAHR", "Jahr", str(y))
            people = {c: 0.985 * _pop(self.off, c, y, 0, 9) for c in AREAS}  # in private households
            households = {c: people[c] / fig.at(fig.PERSONS_PER_HOUSEHOLD[c], y) for c in AREAS}
            children = {c: households[c] * fig.WITH_CHILDREN_SHARE[c] for c in AREAS}
            out = []
            for var, label, values in (
                    ("HHS001", "Privathaushalte", households),
                    ("HHS002", "Einpersonenhaushalte", {c: households[c] * fig.at(fig.ONE_PERSON_SHARE[c], y)
                                                        for c in AREAS}),
                    ("HHS003", "Haushalte mit Kindern unter 18 Jahren", children),
                    ("HHS004", "Alleinerziehende mit Kindern unter 18 Jahren",
                     {c: children[c] * fig.SINGLE_PARENT_SHARE[c] for c in AREAS}),
                    ("BEV003", "Bevölkerung in Privathaushalten", people),
                    ("BEV004", "Bevölkerung mit Einwanderungsgeschichte",
                     {c: people[c] * fig.at(fig.EINWANDERUNG_SHARE[c], y) for c in AREAS})):
                # the Mikrozensus publishes in thousands, one decimal
                out += self._rows(stat, time, {c: v / 1000 for c, v in values.items()}, ("1000", var, label),
                                  decimals=1)
            return out
        return self._yearly("12211-0101", stat, 1, rows)

    def _erziehungshilfen(self) -> Delivery:
        stat = ("22517", "Statistik der erzieherischen Hilfen, Eingliederungshilfe, Hilfe für junge Volljährige")
        kinds = (("ambulant", "HILFE01", "Ambulante und teilstationäre Hilfen (§§ 27-32, 35 SGB VIII)"),
                 ("fremd", "HILFE02", "Vollzeitpflege und Heimerziehung (§§ 33, 34 SGB VIII)"),
                 ("35a", "HILFE03", "Eingliederungshilfe für seelisch behinderte junge Menschen (§ 35a SGB VIII)"),
                 ("41", "HILFE04", "Hilfe für junge Volljährige (§ 41 SGB VIII)"))

        def rows(y: int) -> list[str]:
            time = (*STAG, f"{y}-12-31")
            under_21 = {c: _pop(self.off, c, y, 0, 5) + _pop(self.off, c, y, 6, 6) / 5 for c in AREAS}
            out = []
            for kind, code, label in kinds:
                extra = [("HILFE1", "Hilfeart", code, label)]
                counts = {c: round(fig.HZE_PER_10000_U21[kind][c] / 10_000 * under_21[c]) for c in AREAS}
                out += self._rows(stat, time, counts, ("Anzahl", "KJH001", "Andauernde Hilfen am 31.12."), extra)
                out += self._rows(stat, time, {c: counts[c] / under_21[c] * 10_000 for c in AREAS},
                                  ("je 10000", "KJH002", "Andauernde Hilfen je 10.000 der unter 21-Jährigen"),
                                  extra, decimals=1)
            return out
        return self._yearly("22517-01-01-4", stat, 2, rows)

    def _inobhutnahmen(self) -> Delivery:
        stat = ("22523", "Statistik der vorläufigen Schutzmaßnahmen")
        return self._yearly("22523-01-01-4", stat, 1, lambda y: self._rows(
            stat, ("JAHR", "Jahr", str(y)),
            {c: fig.at(fig.INOBHUT_PER_10000_U18[c], y) / 10_000 * _pop(self.off, c, y, 0, 4) for c in AREAS},
            ("Anzahl", "KJH010", "Inobhutnahmen Minderjähriger")))

    def _tagesbetreuung(self, last: tuple[int, int]) -> Delivery:
        stat = ("22543", "Statistik der Kinder und tätigen Personen in Tageseinrichtungen und Tagespflege")
        years = [y for y in range(2015, last[0] + (1 if last[1] >= 3 else 0))]
        first = min(self.off.population)

        def rows(y: int) -> list[str]:
            out = []
            for gi, (gcode, glabel, quote) in enumerate((("ALT000B03", "unter 3 Jahre", fig.CARE_U3),
                                                          ("ALT003B06", "3 bis unter 6 Jahre", fig.CARE_3TO6))):
                # the same children in care as 22543-01-02-4: quota × the previous 31.12.'s age group
                in_care = {c: round(fig.at(quote[c], y) * _pop(self.off, c, max(y - 1, first), gi, gi))
                           for c in AREAS}
                extra = [("ALTX10", "Altersgruppen (Auswahl)", gcode, glabel)]
                out += self._rows(stat, (*STAG, f"{y}-03-01"),
                                  {c: in_care[c] * fig.TAGESPFLEGE_SHARE[c][gcode] for c in AREAS},
                                  ("Anzahl", "KTB002", "Kinder in öffentlich geförderter Kindertagespflege"), extra)
                out += self._rows(stat, (*STAG, f"{y}-03-01"),
                                  {c: in_care[c] * fig.at(fig.GANZTAG_SHARE[c], y) for c in AREAS},
                                  ("Anzahl", "KTB003", "Kinder mit einer Betreuungszeit von mehr als 7 Stunden"),
                                  extra)
            return out
        return self.off._ffcsv(self.inbox, "22543-0010", ff_header(2), [r for y in years for r in rows(y)],
                               years[-1] - 1)

    def _auslaender(self) -> Delivery:
        stat = ("12411", "Fortschreibung des Bevölkerungsstandes")

        def rows(y: int) -> list[str]:
            total = {c: _pop(self.off, c, y, 0, 9) for c in AREAS}
            foreign = {c: round(total[c] * fig.at(fig.FOREIGN_SHARE[c], y)) for c in AREAS}
            out = []
            for code, label, values in (("NATD", "Deutsche", {c: total[c] - foreign[c] for c in AREAS}),
                                        ("NATA", "Ausländer", foreign)):
                out += self._rows(stat, (*STAG, f"{y}-12-31"), values, ("Anzahl", "BEVSTD", "Bevölkerungsstand"),
                                  [("NAT", "Staatsangehörigkeit", code, label)])
            return out
        return self._yearly("12411-03-03-4", stat, 2, rows)

    def _durchschnittsalter(self) -> Delivery:
        stat = ("12411", "Fortschreibung des Bevölkerungsstandes")
        return self._yearly("12411-07-01-4", stat, 1, lambda y: self._rows(
            stat, (*STAG, f"{y}-12-31"), {c: fig.at(fig.MEAN_AGE[c], y) for c in AREAS},
            ("Jahre", "BEV519", "Durchschnittsalter der Bevölkerung"), decimals=1))

    def _flaeche(self) -> Delivery:
        stat = ("11111", "Feststellung des Gebietsstandes")
        return self._yearly("11111-01-01-4", stat, 1, lambda y: self._rows(
            stat, (*STAG, f"{y}-12-31"), dict(fig.AREA_KM2), ("km²", "FLC001", "Gebietsfläche"), decimals=2))

    # ------------------------------------------------------------------------------------------ BA SGB II

    def _rlb(self, code: str, year: int) -> tuple[float, float]:
        """RLB and the SGB II-Quote: verified counts where there are any, else the quota's anchors."""
        base = _below_age_limit(self.off, code, year, 0)
        if year in fig.SGB2_RLB[code]:
            rlb = float(fig.SGB2_RLB[code][year])
            return rlb, rlb / base * 100
        quote = fig.at(fig.SGB2_QUOTE[code], year)
        return quote / 100 * base, quote

    def _sgb2_workbook(self, year: int, month: int) -> Delivery:
        import xlsxwriter

        y = year if month == 12 else year - 1  # the population of the last 31.12.
        header = ["Bedarfsgemeinschaften", "BG mit Kindern unter 18 Jahren", "Alleinerziehende BG",
                  "Personen in BG unter 15 Jahren", "Personen in BG 15 bis unter 18 Jahre",
                  "Personen in BG 18 bis unter 25 Jahre", "Personen in BG 25 bis unter 55 Jahre",
                  "Personen in BG 55 Jahre bis unter Regelaltersgrenze", "Personen in BG ab Regelaltersgrenze",
                  "Regelleistungsberechtigte", "ELB 15 bis unter 25 Jahre", "ELB 25 bis unter 55 Jahre",
                  "ELB 55 Jahre bis unter Regelaltersgrenze", "erwerbstätige ELB", "SGB II-Quote", "ELB-Quote"]
        rows = []
        for code, key, name in (("DG", "D", "Deutschland"), ("01", "01", "Schleswig-Holstein")):
            rlb, quote = self._rlb(code, y)
            persons = rlb * fig.SGB2_PERSONS_PER_RLB
            u15 = round(rlb * fig.SGB2_U15_PER_RLB[code])
            by_age = [round(persons * s) for s in fig.SGB2_PERSONS_AGE.values()]
            elb = rlb * fig.SGB2_ELB_PER_RLB
            elb_age = [round(elb * s) for s in fig.SGB2_ELB_AGE.values()]
            bg = round(rlb * fig.SGB2_BG_PER_RLB)
            with_children = round(bg * fig.SGB2_BG_WITH_CHILDREN)
            elb_quote = sum(elb_age) / _below_age_limit(self.off, code, y, 4) * 100
            rows.append((key, name, [bg, with_children, round(with_children * fig.SGB2_SINGLE_PARENT_OF_WITH_CHILDREN),
                                     u15, *by_age, round(persons) - u15 - sum(by_age), round(rlb), *elb_age,
                                     round(sum(elb_age) * fig.SGB2_AUFSTOCKER_PER_ELB[code])],
                         [round(quote, 1), round(elb_quote, 1)]))
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        delivered = _plus_months((year, month), 3)
        wb.set_properties({"created": dt.datetime(*delivered, 20, 8, 0)})
        wb.add_worksheet("Impressum").write(0, 0, "Statistik der Bundesagentur für Arbeit")
        ws = wb.add_worksheet("Länder")
        ws.write(0, 0, "Grundsicherung für Arbeitsuchende (SGB II) – Bedarfsgemeinschaften, Personen, Quoten")
        ws.write(1, 0, "Deutschland und Schleswig-Holstein")
        ws.write(2, 0, f"Berichtsmonat: {MONTHS_DE[month - 1]} {year} (Daten nach einer Wartezeit von 3 Monaten)")
        ws.write(3, 0, f"Erstellungsdatum: 20.{delivered[1]:02d}.{delivered[0]}")
        ws.write_row(5, 0, ["Region", "", "Bedarfsgemeinschaften", "", "", "Personen in Bedarfsgemeinschaften"])
        ws.write_row(6, 0, ["", "", *header])
        ws.write_row(7, 0, ["", "", *range(1, len(header) + 1)])
        for r, (key, name, counts, quotes) in enumerate(rows, start=8):
            ws.write_row(r, 0, [key, name, *(_ba_cell(v) for v in counts), *quotes])
        ws.write(len(rows) + 9, 0, "© Statistik der Bundesagentur für Arbeit")
        ws.write(len(rows) + 10, 0, "Fußnoten: SGB II-Quote = Regelleistungsberechtigte in % der Bevölkerung bis "
                                    "unter der Regelaltersgrenze; ELB-Quote = ELB in % der Bevölkerung von 15 Jahren "
                                    "bis unter der Regelaltersgrenze (Bevölkerung: 31.12. des Vorjahres bzw. des "
                                    "Berichtsjahres). * Werte kleiner 3 anonymisiert; - nichts vorhanden.")
        wb.close()
        path = self.inbox / SOURCE_DIR / f"BA_SGB2_LAENDER_{year}{month:02d}.xlsx"
        place(path, buf.getvalue(), dt.date(*delivered, 20))
        return Delivery(path, len(rows) * len(header))


def _plus_months(ym: tuple[int, int], n: int) -> tuple[int, int]:
    y, m = divmod(ym[0] * 12 + ym[1] - 1 + n, 12)
    return y, m + 1


def _minus_months(ym: tuple[int, int], n: int) -> tuple[int, int]:
    return _plus_months(ym, -n)
