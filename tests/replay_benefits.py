"""Independent computation of the benefit and care KPIs from the clear-text deliveries (and the SGB VIII
database), for the tests: plain Python over the files as the offices send them, exact birth dates, no
code shared with the pipeline's readers or models. Valid for Stichtage at month ends."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from tests.replay import Replay, age, household_key

WG = "{urn:stichtag:demo:wohngeld:1}"


def _de(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d.%m.%Y").date() if text else None


def _compact(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d%m%Y").date() if text.strip() else None


def _covers(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or end >= day)


class BenefitReplay:
    def __init__(self, inbox: Path, systems_dsn: str) -> None:
        # SGB II: per Berichtsmonat the rows of the newest delivery that holds it (files sort by delivery)
        self.sgb2: dict[str, list[dict]] = {}
        for path in sorted((inbox / "jobcenter").glob("*.csv")):
            by_month = defaultdict(list)
            for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"):
                by_month[r["Berichtsmonat"]].append(r)
            self.sgb2.update(by_month)
        # SGB XII: the newest listing of each benefit period
        self.sgb12: dict[tuple, dict] = {}
        for path in sorted((inbox / "sozialamt").glob("*.txt")):
            for line in path.read_text(encoding="latin-1").splitlines():
                if line.startswith("10"):
                    r = {"akte": line[2:14], "birth": _compact(line[74:82]), "ags": line[124:132],
                         "art": line[132:136].strip(), "start": _compact(line[136:144]), "end": _compact(line[144:152])}
                    self.sgb12[(r["akte"], r["art"], r["start"])] = r
        # Kita: the newest listing of each contract
        import fastexcel

        self.kita: dict[str, dict] = {}
        for path in sorted((inbox / "kita").glob("*.xlsx")):
            sheet = fastexcel.read_excel(path.read_bytes()).load_sheet("Belegung", header_row=4).to_polars()
            for r in sheet.iter_rows(named=True):
                if r["Vertragsnummer"]:
                    self.kita[r["Vertragsnummer"]] = r
        # Wohngeld: every decision
        self.wohngeld = []
        for path in sorted((inbox / "wohngeld").glob("*.xml")):
            for b in ET.fromstring(path.read_bytes()).iter(f"{WG}Bescheid"):
                a = b.find(f"{WG}Anschrift")
                bew = b.find(f"{WG}Bewilligung")
                self.wohngeld.append({
                    "ags": a.findtext(f"{WG}Gemeindeschluessel"),
                    "household": household_key(a.findtext(f"{WG}Strasse"), a.findtext(f"{WG}Hausnummer"),
                                               a.findtext(f"{WG}Gemeindeschluessel"),
                                               b.find(f"{WG}Antragsteller").findtext(f"{WG}Familienname")),
                    "von": dt.date.fromisoformat(bew.get("von")), "bis": dt.date.fromisoformat(bew.get("bis"))})
        # SGB VIII: straight from the case database
        import psycopg

        with psycopg.connect(systems_dsn) as con:
            self.hilfen = con.execute("""select h.hilfeart, h.beginn, h.ende, h.gemeindeschluessel, p.geburtsdatum
                from hilfe h join person p using (person_id)""").fetchall()

    def kpis(self, registry: Replay, day: dt.date, areas: dict[str, list[str]]) -> dict[tuple[str, str], tuple]:
        pop = registry.population(day)
        ages_by = defaultdict(list)
        households_by = defaultdict(set)
        kids_households_by = defaultdict(set)
        for s in pop.values():
            a = age(s.birth, day)
            ages_by[s.ags].append(a)
            households_by[s.ags].add(s.household)
            if a < 18:
                kids_households_by[s.ags].add(s.household)
        month = f"{day.year}{day.month:02d}"
        sgb2 = [r for r in self.sgb2.get(month, []) if _covers(_de(r["Leistungsbeginn"]), _de(r["Leistungsende"]), day)]
        sgb12 = [r for r in self.sgb12.values() if _covers(r["start"], r["end"], day)]
        kita = [r for r in self.kita.values()
                if _covers(r["Betreuungsbeginn"].date(), r["Betreuungsende"].date() if r["Betreuungsende"] else None,
                           day)]
        year_before = day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)
        out = {}
        for area, members in areas.items():
            def pop_in(lo: int, hi: int = 200, _m=members) -> int:
                return sum(lo <= a <= hi for g in _m for a in ages_by[g])

            p2 = [(r, age(_de(r["Geburtsdatum"]), day)) for r in sgb2 if r["Gemeindeschlüssel"] in members]
            bgs = defaultdict(list)
            for r, a in p2:
                bgs[r["BG-Nummer"]].append((r, a))
            with_kids = [m for m in bgs.values() if any(a < 18 for _, a in m)]
            out[("sgb2_quote", area)] = (sum(a <= 64 for _, a in p2), pop_in(0, 64))
            out[("kinderarmut", area)] = (sum(a <= 14 for _, a in p2), pop_in(0, 14))
            out[("jugendarmut", area)] = (sum(15 <= a <= 17 for _, a in p2), pop_in(15, 17))
            out[("u18_sgb2", area)] = (sum(a <= 17 for _, a in p2), pop_in(0, 17))
            out[("elb_quote", area)] = (sum(15 <= a <= 64 and r["Rolle"] == "ELB" for r, a in p2), pop_in(15, 64))
            single = sum(any(r["Alleinerziehend"] == "J" for r, _ in m) for m in with_kids)
            out[("alleinerziehende_bg", area)] = (single, len(with_kids))
            out[("aufstocker", area)] = (sum(r["Rolle"] == "ELB" and r["Aufstocker"] == "J" for r, _ in p2),
                                         sum(r["Rolle"] == "ELB" for r, _ in p2))
            p12 = [(r, age(r["birth"], day)) for r in sgb12 if r["ags"] in members]
            out[("altersarmut", area)] = (sum(r["art"] == "GSA" and a >= 65 for r, a in p12), pop_in(65))
            out[("grusi_em", area)] = (sum(r["art"] == "GSEM" and 18 <= a <= 64 for r, a in p12), pop_in(18, 64))
            out[("hlu", area)] = (sum(r["art"] == "HLU" for r, _ in p12), pop_in(0))
            out[("mindestsicherung", area)] = (len(p2) + len(p12), pop_in(0))
            h = [(art, beginn, ende, age(birth, day))
                 for art, beginn, ende, ags, birth in self.hilfen if ags in members]
            running = [(art, a) for art, beginn, ende, a in h if art != "§ 42" and _covers(beginn, ende, day)]
            out[("hze_quote", area)] = (sum(art != "§ 35a" for art, _ in running), pop_in(0, 20))
            out[("fremdunterbringung", area)] = (sum(art in ("§ 33", "§ 34") for art, _ in running), pop_in(0, 20))
            out[("eingliederungshilfe_35a", area)] = (sum(art == "§ 35a" for art, _ in running), pop_in(0, 20))
            out[("inobhutnahmen", area)] = (sum(art == "§ 42" and year_before < beginn <= day and a <= 17
                                                for art, beginn, _, a in h), pop_in(0, 17))
            k = [(r, age(r["Geburtsdatum"].date(), day)) for r in kita if r["Gemeindeschlüssel"] in members]
            care = [(r, a) for r, a in k if r["Betreuungsart"] != "Hort"]
            out[("betreuung_u3", area)] = (sum(a <= 2 for _, a in care), pop_in(0, 2))
            out[("betreuung_ue3", area)] = (sum(3 <= a <= 5 for _, a in care), pop_in(3, 5))
            out[("tagespflege_anteil_u3", area)] = (
                sum(a <= 2 and r["Betreuungsart"] == "Tagespflege" for r, a in care), sum(a <= 2 for _, a in care))
            out[("ganztag_quote", area)] = (sum(r["Wochenstunden"] > 35 for r, _ in care), len(care))
            out[("hort_quote", area)] = (sum(r["Betreuungsart"] == "Hort" and 6 <= a <= 9 for r, a in k),
                                         pop_in(6, 9))
            wg = {d["household"] for d in self.wohngeld if d["ags"] in members and d["von"] <= day <= d["bis"]}
            n_households = sum(len(households_by[g]) for g in members)
            out[("wohngeldquote", area)] = (len(wg), n_households)
            out[("haushalte", area)] = (n_households, None)
            out[("haushalte_kinder", area)] = (sum(len(kids_households_by[g]) for g in members), n_households)
        return out
