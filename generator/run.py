"""Entry point of the generator: simulate, then write every delivery with a progress bar.

One simulation feeds every source system: the registry's events, and month by month the households and
persons the benefit systems see (the same synthetic persons, so sources link by name and birth date).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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

Writers = list[tuple[str, Callable[[], Delivery]]]


def generate(config: GeneratorConfig, inbox: Path, progress: bool = True,
             sources: tuple[str, ...] = INTERNAL_SOURCES + EXTERNAL_SOURCES) -> list[Delivery]:
    sim = simulate(config)
    groups = [list(iter_deliveries(sim, inbox))] if "melderegister" in sources else []
    benefits = [s for s in sources if s != "melderegister"]
    sgb8 = None
    if benefits:
        extra, sgb8 = _benefit_writers(sim, inbox, benefits, progress)
        groups += extra
    out = _write(groups, progress)
    if sgb8 is not None:
        out.append(_seed_sgb8(sgb8, config, inbox, progress))
    return out


def _write(groups: list[Writers], progress: bool) -> list[Delivery]:
    """Every source's deliveries in their order, two sources at a time. A source's writers share its state
    (a Berichtsmonat's rows serve the four deliveries that report it) and touch no other source's, so any
    interleaving of sources writes the same bytes; polars, numpy and the file writes release the GIL for
    part of the time (the demo Kreis's files: 43.5 → 32.6 s, measured). Threads, not processes: forking
    a process whose polars thread pool runs can deadlock, and the simulation is too big to send."""
    bar = tqdm(total=sum(map(len, groups)), desc="Lieferungen schreiben", unit="Datei", disable=not progress)

    def write_source(writers: Writers) -> list[Delivery]:
        written = []
        for _name, write in writers:
            written.append(write())
            bar.update()
        return written

    with bar, ThreadPoolExecutor(max_workers=2, thread_name_prefix="lieferungen") as pool:
        return [d for written in pool.map(write_source, groups) for d in written]


def _benefit_writers(sim: Simulation, inbox: Path, sources: list[str],
                     progress: bool) -> tuple[list[Writers], JugendamtSim | None]:
    """The writers of each benefit source and of the official statistics (a list per source), after the
    month by month simulation that feeds them all."""
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
    groups: list[Writers] = []
    if "jobcenter" in sources:
        groups.append(jc.deliveries(inbox))
    if "sozialamt" in sources:
        groups.append(soz.deliveries(inbox, last))
    if "kita" in sources:
        groups.append(kita.deliveries(inbox, last))
    if "wohngeld" in sources:
        groups.append(wg.deliveries(inbox, last))
    if "amtlich" in sources:
        until = (sim.config.until_year, sim.config.until_month)
        groups.append(official.deliveries(inbox, kita.tracker.spells(), until)
                      + ComparisonTables(official, inbox).deliveries(until))
    return groups, jug if "jugendamt" in sources else None


def _seed_sgb8(jug: JugendamtSim, config: GeneratorConfig, inbox: Path, progress: bool) -> Delivery:

    until = month_bounds(months_until(config.until_year, config.until_month))[1] + 4
    persons, hilfe = jug.rows(until)
    with conninfo(inbox) as dsn:
        seed(dsn, persons, hilfe)
    if progress:
        print(f"SGB-VIII-Datenbank befüllt: {len(persons)} Personen, {len(hilfe)} Hilfen")
    return Delivery(Path("postgresql:jugendamt.hilfe"), len(hilfe))
