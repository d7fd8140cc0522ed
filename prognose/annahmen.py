"""The forecast's assumptions (prognose/annahmen.yml): loaded and checked, with the reason a planner needs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from kernel.yaml_text import load_yaml

ANNAHMEN_FILE = Path(__file__).parent / "annahmen.yml"
MAX_ALTER = 100  # the last age class is open: 100 years and older


class AnnahmenError(ValueError):
    """annahmen.yml is not usable; the message names the entry."""


@dataclass(frozen=True)
class Altersgruppe:
    id: str
    name: str
    von: int
    bis: int  # inclusive; MAX_ALTER for an open group


@dataclass(frozen=True)
class Variante:
    id: str
    name: str
    beschreibung: str
    fertilitaet: float
    sterblichkeit_aenderung_pro_jahr: float
    zuzug_von_ausserhalb: float
    fortzug_nach_ausserhalb: float


@dataclass(frozen=True)
class Annahmen:
    basisjahre: int
    bis_jahr: int
    wanderung_personenjahre: float
    fertilitaet_geburten: float
    sterblichkeit_ab_alter: int
    altersgruppen: tuple[Altersgruppe, ...]
    varianten: tuple[Variante, ...]
    sha256: str

    def variante(self, variante_id: str) -> Variante:
        for v in self.varianten:
            if v.id == variante_id:
                return v
        raise AnnahmenError(f"Variante {variante_id!r} unbekannt, vorhanden: {', '.join(v.id for v in self.varianten)}")


def _number(raw: dict, key: str, where: str, low: float, high: float) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnnahmenError(f"{where}: {key} muss eine Zahl sein")
    if not low <= value <= high:
        raise AnnahmenError(f"{where}: {key} = {value} liegt nicht in [{low}, {high}]")
    return float(value)


def parse_annahmen(data: dict, sha256: str = "") -> Annahmen:
    if not isinstance(data, dict):
        raise AnnahmenError("annahmen.yml: ein Mapping erwartet")
    glaettung = data.get("glaettung") or {}
    groups = []
    for i, g in enumerate(data.get("altersgruppen") or []):
        where = f"altersgruppen[{i}]"
        alter = g.get("alter") if isinstance(g, dict) else None
        if not (isinstance(alter, list) and len(alter) == 2 and isinstance(alter[0], int)
                and (alter[1] is None or isinstance(alter[1], int))):
            raise AnnahmenError(f"{where}: alter muss [von, bis] sein (bis null = offen)")
        bis = MAX_ALTER if alter[1] is None else alter[1]
        if not 0 <= alter[0] <= bis <= MAX_ALTER:
            raise AnnahmenError(f"{where}: alter {alter} ist kein Bereich in 0 … {MAX_ALTER}")
        groups.append(Altersgruppe(str(g["id"]), str(g.get("name", g["id"])), alter[0], bis))
    variants = []
    for i, v in enumerate(data.get("varianten") or []):
        where = f"varianten[{i}] ({v.get('id', '?')})"
        variants.append(Variante(
            id=str(v["id"]), name=str(v.get("name", v["id"])), beschreibung=str(v.get("beschreibung", "")),
            fertilitaet=_number(v, "fertilitaet", where, 0.1, 3.0),
            sterblichkeit_aenderung_pro_jahr=_number(v, "sterblichkeit_aenderung_pro_jahr", where, -0.1, 0.1),
            zuzug_von_ausserhalb=_number(v, "zuzug_von_ausserhalb", where, 0.0, 5.0),
            fortzug_nach_ausserhalb=_number(v, "fortzug_nach_ausserhalb", where, 0.0, 5.0)))
    if not variants:
        raise AnnahmenError("annahmen.yml: mindestens eine Variante nötig")
    for kind, items in (("Variante", variants), ("Altersgruppe", groups)):
        ids = [x.id for x in items]
        if len(set(ids)) != len(ids):
            raise AnnahmenError(f"annahmen.yml: {kind}-ids doppelt: {', '.join(sorted(set(ids)))}")
    return Annahmen(
        basisjahre=int(_number(data, "basisjahre", "annahmen.yml", 1, 20)),
        bis_jahr=int(_number(data, "bis_jahr", "annahmen.yml", 2000, 2100)),
        wanderung_personenjahre=_number(glaettung, "wanderung_personenjahre", "glaettung", 0, 1e6),
        fertilitaet_geburten=_number(glaettung, "fertilitaet_geburten", "glaettung", 0, 1e6),
        sterblichkeit_ab_alter=int(_number(glaettung, "sterblichkeit_ab_alter", "glaettung", 1, 90)),
        altersgruppen=tuple(groups), varianten=tuple(variants), sha256=sha256)


def load_annahmen(path: Path | None = None) -> Annahmen:
    raw = (path or ANNAHMEN_FILE).read_bytes()
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as e:
        raise AnnahmenError(f"annahmen.yml ist kein gültiges YAML: {e}") from None
    return parse_annahmen(data, hashlib.sha256(raw).hexdigest())
