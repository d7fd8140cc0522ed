"""Entry point of the generator: simulate, then write every delivery with a progress bar."""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from generator.melderegister import Delivery, iter_deliveries
from generator.population import GeneratorConfig, simulate


def generate(config: GeneratorConfig, inbox: Path, progress: bool = True) -> list[Delivery]:
    sim = simulate(config)
    writers = list(iter_deliveries(sim, inbox))
    out = []
    for _name, write in tqdm(writers, desc="Lieferungen Melderegister", unit="Datei", disable=not progress):
        out.append(write())
    return out
