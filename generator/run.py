"""Entry point of the generator: simulate, then write every delivery with a progress bar.

One simulation feeds every source system: the registry's events, and month by month the households and
persons the benefit systems see (the same synthetic persons, so sources link by name and birth date).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm import tqdm

from generator.kita import KitaSim
from generator.melderegister import Delivery, iter_deliveries
from generator.official import OfficialSim
from generator.official_comparison import ComparisonTables
from generator.population import GeneratorConfig, Simulation, month_bounds, months_until, simulate
from generator.sgb2 import JobcenterSim
from generator.sgb8 import JugendamtSim, seed
from generator.sgb12 import SozialamtSim
from generator.snapshots import BirthDates, Residents, bestand_state, month_states
from generator.wohngeld import WohngeldSim
from kernel.settings import EXTERNAL_SOURCES, INTERNAL_SOURCES
from sources.systems import conninfo


def generate(config: GeneratorConfig, inbox: Path, progress: bool = True,
             sources: tuple[str, ...] = INTERNAL_SOURCES + EXTERNAL_SOURCES) -> list[Delivery]:
    sim = simulate(config)
    writers = list(iter_deliveries(sim, inbox)) if "melderegister" in sources else []
    benefits = [s for s in sources if s != "melderegister"]
    sgb8 = None
    if benefits:
        extra, sgb8 = _benefit_writers(sim, inbox, benefits, progress)
        writers += extra
    out = []
    for _name, write in tqdm(writers, desc="Lieferungen schreiben", unit="Datei", disable=not progress):
        out.append(write())
    if sgb8 is not None:
        out.append(_seed_sgb8(sgb8, config, inbox, progress))
    return out


def _benefit_writers(sim: Simulation, inbox: Path, sources: list[str],
                     progress: bool) -> tuple[list, JugendamtSim | None]:
    rng = np.random.default_rng(sim.config.seed + 7)
    births = BirthDates.of(sim)
    jc, soz, jug, kita, wg = (JobcenterSim(sim, rng), SozialamtSim(sim, rng), JugendamtSim(sim, rng),
                              KitaSim(sim, rng, births), WohngeldSim(sim, rng))
    official = OfficialSim(sim, births)
    official.observe(Residents.of(bestand_state(sim), births, sim))  # the Fortschreibung of 31.12.2014
    last = months_until(sim.config.until_year, sim.config.until_month)
    for state in tqdm(month_states(sim), total=last, desc="Sozialleistungen simulieren", unit="Monat",
                      disable=not progress):
        res = Residents.of(state, births, sim)
        sgb2_households = jc.observe(res)
        soz.observe(res)
        jug.observe(res)
        kita.observe(res)
        wg.observe(res, sgb2_households)
        official.observe(res)
    writers = []
    if "jobcenter" in sources:
        writers += jc.deliveries(inbox)
    if "sozialamt" in sources:
        writers += soz.deliveries(inbox, last)
    if "kita" in sources:
        writers += kita.deliveries(inbox, last)
    if "wohngeld" in sources:
        writers += wg.deliveries(inbox, last)
    if "amtlich" in sources:
        until = (sim.config.until_year, sim.config.until_month)
        writers += official.deliveries(inbox, kita.tracker.spells(), until)
        writers += ComparisonTables(official, inbox).deliveries(until)
    return writers, jug if "jugendamt" in sources else None


def _seed_sgb8(jug: JugendamtSim, config: GeneratorConfig, inbox: Path, progress: bool) -> Delivery:

    until = month_bounds(months_until(config.until_year, config.until_month))[1] + 4
    persons, hilfe = jug.rows(until)
    with conninfo(inbox) as dsn:
        seed(dsn, persons, hilfe)
    if progress:
        print(f"SGB-VIII-Datenbank befüllt: {len(persons)} Personen, {len(hilfe)} Hilfen")
    return Delivery(Path("postgresql:jugendamt.hilfe"), len(hilfe))
