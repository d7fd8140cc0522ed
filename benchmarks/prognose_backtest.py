"""Backtest of the population forecast (not a test): project from a past base Stichtag with only the deliveries
received by then, compare with what the registry later observed, and write the figures into BENCHMARKS.md
(the block between the `prognose` markers; `make bench` keeps it).

Usage: python -m benchmarks.prognose_backtest [--basis 2017-12-31] [--datenstand 2018-01-31] [--ziel 2022-12-31]

Needs the demo lake of `make run` (the observed Stichtag is read from its latest export)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from kernel.reference import gemeinden
from kernel.settings import get_settings
from prognose.annahmen import load_annahmen
from prognose.eingaben import read_basisdaten
from prognose.ergebnis import version_dir
from prognose.rechnen import compute, run_prognose
from publication.publish import kpi_export_path
from warehouse.datenstand import read_build_info

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- prognose:start -->", "<!-- prognose:end -->"
SIZE_CLASSES = ((0, 2_000, "unter 2.000"), (2_000, 5_000, "2.000 bis unter 5.000"),
                (5_000, 20_000, "5.000 bis unter 20.000"), (20_000, 10**9, "20.000 und mehr"))
GOALS = {"kreis": 1.0, "ueber_5000": 3.0, "sekunden": 10.0}


def mape(pairs: list[tuple[float, float]]) -> float:
    return statistics.fmean(abs(p - o) / o * 100 for p, o in pairs) if pairs else float("nan")


def observed(export: Path, kpi: str) -> dict[str, float]:
    return dict(duckdb.execute(f"select gebiet_id, value from '{export}' where kpi_id = ? and value is not null",
                               [kpi]).fetchall())


def projected(version: Path, merkmal: str, day: dt.date, variante: str = "basis") -> dict[str, float]:
    return dict(duckdb.execute(f"""select gebiet_id, value from '{version}/prognose.parquet'
        where merkmal = ? and stichtag = ? and variante = ?""", [merkmal, day, variante]).fetchall())


def block(lines: list[str]) -> str:
    return "\n".join([START, *lines, END])


def write_block(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head + text + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--basis", type=dt.date.fromisoformat, default=dt.date(2017, 12, 31))
    ap.add_argument("--datenstand", type=dt.date.fromisoformat, default=dt.date(2018, 1, 31))
    ap.add_argument("--ziel", type=dt.date.fromisoformat, default=dt.date(2022, 12, 31))
    ap.add_argument("--runs", type=int, default=3, help="timed runs of the projection itself (median)")
    ap.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = ap.parse_args(argv)
    settings = get_settings()
    export = kpi_export_path(settings, args.ziel)
    if not export.exists():
        print(f"kein Export für {args.ziel}: erst `make run`", file=sys.stderr)
        return 2

    started = time.perf_counter()
    cli = [sys.executable, "-m", "stichtag.cli", "prognose", "--basis", args.basis.isoformat(),
           "--datenstand", args.datenstand.isoformat()]
    done = subprocess.run(cli, env=os.environ.copy(), capture_output=True, text=True)
    if done.returncode:
        print(done.stdout[-2000:], done.stderr[-3000:], file=sys.stderr)
        return done.returncode
    job_seconds = time.perf_counter() - started
    print(done.stdout)

    # the projection alone (read the base period, estimate, project every variant, write), with the warehouse
    # the job left at that Datenstand
    info = read_build_info(settings)
    version = version_dir(settings, args.basis, info.datenstand)
    seconds = []
    for _ in range(args.runs):
        shutil.rmtree(version)
        seconds.append(run_prognose(settings, args.basis).seconds)

    # where the Kreis total goes astray: each component, projected (basis variant) against what the registry
    # recorded in the same years (a build of the target Stichtag with every delivery, which also leaves the
    # warehouse as the daily run expects it)
    annahmen = load_annahmen()
    years = args.ziel.year - args.basis.year
    _, projections = compute(read_basisdaten(settings.warehouse, args.basis, annahmen.basisjahre), annahmen)
    basis_run = next(p for p in projections if p.variante == "basis")
    projected_flows = {k: v[:years].sum() for k, v in basis_run.komponenten.items()}
    rebuilt = subprocess.run([sys.executable, "-m", "stichtag.cli", "materialise", "--stichtag", args.ziel.isoformat()],
                             env=os.environ.copy(), capture_output=True, text=True)
    if rebuilt.returncode:
        print(rebuilt.stdout[-2000:], rebuilt.stderr[-3000:], file=sys.stderr)
        return rebuilt.returncode
    seen = read_basisdaten(settings.warehouse, args.ziel, years)
    observed_flows = {"geburten": seen.geburten.sum(), "sterbefaelle": seen.sterbefaelle.sum(),
                      "fortzug_aussen": seen.fortzug_aussen.sum(), "zuzug_aussen": seen.zuzug_aussen.sum(),
                      "umzug_weg": seen.umzug_weg.sum()}

    pop_obs, pop_proj = observed(export, "einwohner"), projected(version, "einwohner", args.ziel)
    base = observed(kpi_export_path(settings, args.basis), "einwohner")
    ags = [g.ags for g in gemeinden() if g.ags in pop_obs and g.ags in pop_proj]
    kreis = next(k for k in pop_obs if len(k) == 5)
    kreis_error = (pop_proj[kreis] - pop_obs[kreis]) / pop_obs[kreis] * 100
    lines = ["## Bevölkerungsvorausberechnung: Rückrechnung (`python -m benchmarks.prognose_backtest`)", "",
             f"Measured {dt.date.today()}: projection from base {args.basis} with only the deliveries received by "
             f"{args.datenstand} (Datenstand {info.datenstand}), basis variant, against the registry's observed "
             f"residents on {args.ziel} (latest Datenstand). The naive forecast beside it: no change since "
             f"{args.basis}.", "",
             "| Gemeinden (by residents on the target date) | Gemeinden | MAPE forecast | MAPE no change |",
             "|---|---:|---:|---:|"]
    over_5000 = []
    for lo, hi, label in SIZE_CLASSES:
        members = [a for a in ags if lo <= pop_obs[a] < hi]
        pairs = [(pop_proj[a], pop_obs[a]) for a in members]
        naive = [(base[a], pop_obs[a]) for a in members if a in base]
        if lo >= 5_000:
            over_5000 += pairs
        lines.append(f"| {label} | {len(members)} | {mape(pairs):.2f} % | {mape(naive):.2f} % |")
    lines.append(f"| all | {len(ags)} | {mape([(pop_proj[a], pop_obs[a]) for a in ags]):.2f} % | "
                 f"{mape([(base[a], pop_obs[a]) for a in ags if a in base]):.2f} % |")
    groups = []
    for merkmal, kpi in (("bev_u6", "anteil_u6"), ("bev_65plus", "anteil_65plus"), ("bev_80plus", "anteil_80plus")):
        share = observed(export, kpi)
        proj = projected(version, merkmal, args.ziel)
        pairs = [(proj[a], share[a] / 100 * pop_obs[a]) for a in ags if a in share and pop_obs[a] >= 5_000]
        kreis_obs = share[kreis] / 100 * pop_obs[kreis]
        groups.append(f"| {merkmal} | {(proj[kreis] - kreis_obs) / kreis_obs * 100:+.2f} % | {mape(pairs):.2f} % |")
    projection = statistics.median(seconds)
    lines += ["", "| figure | measured | goal | |", "|---|---:|---|---|",
              f"| Kreis total, error on {args.ziel} | {kreis_error:+.2f} % | within ±1 % | "
              f"{'**met**' if abs(kreis_error) <= GOALS['kreis'] else 'not met'} |",
              f"| Gemeinden of 5,000 residents and more, MAPE | {mape(over_5000):.2f} % | ≤ 3 % | "
              f"{'**met**' if mape(over_5000) <= GOALS['ueber_5000'] else 'not met'} |",
              f"| the projection alone (read, estimate, {len(load_annahmen().varianten)} variants to 2040, write), "
              f"median of {len(seconds)} | {projection:.2f} s ({', '.join(f'{s:.2f}' for s in seconds)}) | ≤ 10 s | "
              f"{'**met**' if projection <= GOALS['sekunden'] else 'not met'} |",
              f"| `stichtag prognose --basis {args.basis} --datenstand {args.datenstand}` (the job: build of the "
              f"base Stichtag at that Datenstand + forecast), one run | {job_seconds:.1f} s | – | |", "",
              "Age groups (basis variant), Kreis error and MAPE over the Gemeinden of 5,000 residents and more:", "",
              "| age group | Kreis | MAPE ≥ 5,000 |", "|---|---:|---:|", *groups, "",
              f"The Kreis's components {args.basis.year + 1}–{args.ziel.year}, projected (basis variant) and as the "
              "registry recorded them:", "",
              "| component | projected | observed | projected − observed |", "|---|---:|---:|---:|",
              *[f"| {k} | {projected_flows[k]:,.0f} | {observed_flows[k]:,.0f} | "
                f"{projected_flows[k] - observed_flows[k]:+,.0f} |" for k in observed_flows if k != "umzug_weg"]]
    widest = max((k for k in observed_flows if k != "umzug_weg"),
                 key=lambda k: abs(projected_flows[k] - observed_flows[k]))
    lines += ["", f"The largest gap is `{widest}`."]
    if widest == "fortzug_aussen":  # the demo generator's construction, not the method's
        lines[-1] += (" The demo generator draws moves out of the Kreis as a fixed share of the whole population, "
                      "spread over the ages by weights (generator/population.py); the projection, like the official "
                      "ones, applies age-specific rates to a population that keeps gaining young adults from the "
                      "moves in, so it sends more people away than the generator does.")
    write_block(args.output, block(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
