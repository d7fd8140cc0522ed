"""`make bench`: measure the pipeline at Kreis scale and write BENCHMARKS.md (not a test).

Every figure is the median of --runs runs (default 3) of the real command a user runs, as a
subprocess, wall clock; peak RSS sums every process of the tree (polled every 50 ms).
Usage: python -m benchmarks.run [--runs N] [--work DIR] [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from benchmarks.ingest_floor import copy_floor
from benchmarks.prognose_backtest import END, START

NOTES_START, NOTES_END = "<!-- notes:start -->", "<!-- notes:end -->"

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
STICHTAG = [str(VENV_BIN / "stichtag")]
KEY = "be" * 32


@dataclass
class Result:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    note: str = ""
    stopped: bool = False  # at its time budget: its peak RSS is the peak until then

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def rss(self) -> float:
        return max(self.peak_rss_mb) if self.peak_rss_mb else 0.0


def _tree_rss_kb(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


class TimedOut(RuntimeError):
    """A command stopped at its time budget: how long it ran and its peak RSS (MB) until then."""

    def __init__(self, seconds: float, peak_mb: float) -> None:
        super().__init__(f"stopped after {seconds / 60:.0f} min")
        self.seconds, self.peak_mb = seconds, peak_mb


def run(cmd: list[str], env: dict[str, str], cwd: Path | None = None,
        budget: float | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, all processes of the tree) of one command; past `budget` seconds its
    whole process group is killed and TimedOut raised."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd,
                            start_new_session=True)
    peak = 0
    stop = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    try:
        _, err = proc.communicate(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        stop.set()
        t.join()
        raise TimedOut(time.perf_counter() - started, peak / 1024) from None
    stop.set()
    t.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, peak / 1024


def env_for(work: Path, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME",)}
    env.update(STICHTAG_LAKE=str(work / name / "lake"), STICHTAG_INBOX=str(work / "inbox"),
               STICHTAG_PSEUDONYM_KEY=KEY)
    return env


def delivered_rows(lake: Path) -> int:
    """Rows delivered, from the ingest log: every format counts, not only CSV lines."""
    return sum(json.loads(p.read_text(encoding="utf-8"))["rows_delivered"]
               for p in (lake / "ingest_log").glob("*/*.json"))


def progress(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def anonymiser_throughput(n: int = 3_000_000, baseline_n: int = 300_000) -> tuple[float, float]:
    """Rows/s of the keyed HMAC in DuckDB (as ingest runs it) vs a per-row Python hmac loop."""
    from sources.pseudonym import PseudonymKey

    key = PseudonymKey(bytes.fromhex(KEY))
    con = duckdb.connect()
    key.register(con, ["person_pseudonym"])
    con.execute(f"create table ids as select (100000000000 + range)::varchar as v from range({n})")
    started = time.perf_counter()
    con.execute(f"create table out as select {key.sql('v', 'person_pseudonym')} as p from ids")
    sql_rate = n / (time.perf_counter() - started)
    values = [str(100_000_000_000 + i) for i in range(baseline_n)]
    started = time.perf_counter()
    for v in values:
        hmac.new(key.domain_secret("person_pseudonym"), v.encode(), hashlib.sha256).hexdigest()
    py_rate = baseline_n / (time.perf_counter() - started)
    return sql_rate, py_rate


def floor_query(lake: Path, day: str) -> float:
    sql = (ROOT / "benchmarks" / "floor.sql").read_text()
    started = time.perf_counter()
    duckdb.connect().execute(sql, [day, str(lake / "raw")]).fetchall()
    return time.perf_counter() - started


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) / 1024 / 1024
    import dagster
    import polars

    dbt = subprocess.run([str(VENV_BIN / "dbt"), "--version"], capture_output=True, text=True).stdout
    dbt_core = next((line.split(":")[1].strip() for line in dbt.splitlines() if "installed" in line), "?")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip() or "?"
    return {"date": dt.date.today().isoformat(), "commit": commit, "cpu": f"{cpu}, {os.cpu_count()} cores",
            "memory": f"{mem:.0f} GiB",
            "os": platform.platform(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "polars": polars.__version__, "dagster": dagster.__version__, "dbt-core": dbt_core}


GOALS = {  # issue 19: floors, measured on 2 cores
    "one Stichtag": 20.0, "daily job": 30.0, "series ratio": 2.0, "ingest rows/s": 1_000_000,
    "ingest re-run": 3.0, "make run": 120.0, "make test": 180.0, "land rss gib": 4.0, "land one Stichtag": 60.0,
}
BIG_CSV_SOURCES = ("jobcenter", "melderegister")


def ingest_rates(lake: Path) -> dict[str, tuple[int, float]]:
    """Per source: rows delivered and the seconds its deliveries took in the ingest (from the ingest log)."""
    out: dict[str, tuple[int, float]] = {}
    for p in (lake / "ingest_log").glob("*/*.json"):
        e = json.loads(p.read_text(encoding="utf-8"))
        rows, secs = out.get(e["source"], (0, 0.0))
        out[e["source"]] = (rows + e["rows_delivered"], secs + e.get("seconds", 0.0))
    return out


def profile(env: dict[str, str], *window: str) -> dict:
    out = subprocess.run([str(VENV_BIN / "python"), "-m", "benchmarks.profile_steps", *window], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"profile of {window} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (median reported)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/stichtag-bench"), help="scratch directory")
    ap.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--land-runs", type=int, default=3,
                    help="runs of the Land-scale materialisation (generation and ingest run once: minutes each)")
    ap.add_argument("--land-budget", type=float, default=30,
                    help="minutes after which the Land's 132-month-end series is stopped (its public zones' "
                         "attack audits would take many hours); the figure then says how far it came")
    ap.add_argument("--skip-land", action="store_true", help="Kreis scale only")
    ap.add_argument("--skip-tests", action="store_true", help="do not time `make test`")
    ap.add_argument("--only-land", action="store_true",
                    help="the Land-scale part alone; its section is printed (Markdown), BENCHMARKS.md is not written")
    args = ap.parse_args(argv)
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if args.only_land:
        print("\n".join(land_section(land_scale(work, args.land_runs, args.land_budget))))
        return 0
    results: dict[str, Result] = {}
    base = env_for(work, "main")

    def measure(name: str, cmd: list[str], env: dict[str, str], before=None, runs: int = args.runs,
                after=None, cwd: Path | None = None) -> Result:
        r = results.setdefault(name, Result(name))
        for i in range(runs):
            if before:
                before(i)
            progress(f"{name} ({i + 1}/{runs})")
            s, rss = run(cmd, env, cwd)
            r.seconds.append(s)
            r.peak_rss_mb.append(rss)
            if after:
                after(i)
        return r

    # generation (deterministic: every run writes the same bytes)
    measure("generate", [*STICHTAG, "generate", "--bis", "2026-10", "--quiet"], base,
            before=lambda i: shutil.rmtree(work / "inbox", ignore_errors=True))
    lake = work / "main" / "lake"

    # the big CSV sources alone, wall clock of the command (the log's seconds per delivery overlap: a batch
    # lands while the next is parsed); then every source into an empty lake, then over known deliveries only
    measure("ingest, big CSV sources", [*STICHTAG, "ingest", "--quellen", ",".join(BIG_CSV_SOURCES), "--quiet"],
            base, before=lambda i: shutil.rmtree(lake, ignore_errors=True))
    big_rows = delivered_rows(lake)
    results["ingest, big CSV sources"].note = f"{big_rows:,} rows delivered"
    progress("ingest floor: the same deliveries copied CSV → Parquet, nothing else")
    copied = [copy_floor(work / "inbox", BIG_CSV_SOURCES) for _ in range(args.runs)]
    ingest_floor = statistics.median(n / s for n, s in copied)
    measure("ingest", [*STICHTAG, "ingest", "--quiet"], base,
            before=lambda i: shutil.rmtree(lake, ignore_errors=True))
    rows = delivered_rows(lake)
    rates = ingest_rates(lake)
    results["ingest"].note = f"{rows:,} rows delivered"
    measure("ingest re-run (only known deliveries)", [*STICHTAG, "ingest", "--quiet"], base)

    progress("anonymiser")
    anon = [anonymiser_throughput() for _ in range(args.runs)]
    sql_rate = statistics.median(r[0] for r in anon)
    py_rate = statistics.median(r[1] for r in anon)

    one = "2022-12-31"
    measure("one Stichtag (`materialise --stichtag`)", [*STICHTAG, "materialise", "--stichtag", one], base)
    measure("132 month ends, one run", [*STICHTAG, "materialise", "--stichtag", "2015-01-31", "--bis", "2025-12-31",
                                        "--raster", "monatsende"], base)
    progress("profile: one Stichtag, step by step")
    steps_one = profile(base, one)
    progress("profile: 132 month ends, step by step")
    steps_series = profile(base, "2015-01-31", "2025-12-31", "monatsende")

    progress("floor")
    floor = statistics.median(floor_query(lake, one) for _ in range(args.runs))

    # the daily job: one new delivery per source arrives, today's Stichtag is built
    progress("daily job: preparing a lake one delivery behind")
    daily_inbox = work / "daily-inbox"
    shutil.copytree(work / "inbox", daily_inbox)
    held = work / "held-back"
    held.mkdir()
    for source_dir in sorted(p for p in daily_inbox.iterdir() if p.is_dir()):
        newest = max((p for p in source_dir.iterdir() if p.is_file()), key=lambda p: (p.stat().st_mtime, p.name))
        (held / source_dir.name).mkdir()
        shutil.move(newest, held / source_dir.name / newest.name)
    daily_env = {**env_for(work, "daily"), "STICHTAG_INBOX": str(daily_inbox)}
    # the state a daily job starts from: yesterday's job ran (its deliveries landed and passed their gates,
    # its version exists); a lake that was only ingested would have every delivery's gate still to run
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    run([*STICHTAG, "materialise", "--stichtag", yesterday], daily_env)
    snapshot = work / "daily-snapshot"
    shutil.copytree(work / "daily" / "lake", snapshot)

    def reset_daily(i: int) -> None:
        shutil.rmtree(work / "daily" / "lake")
        shutil.copytree(snapshot, work / "daily" / "lake")
        for f in held.glob("*/*"):
            target = daily_inbox / f.parent.name / f.name
            target.unlink(missing_ok=True)
            shutil.copy2(f, target)

    measure("daily job (one new delivery per source, today)",
            [*STICHTAG, "materialise", "--stichtag", dt.date.today().isoformat()], daily_env, before=reset_daily)
    progress("profile: the daily job, step by step")
    reset_daily(0)
    steps_daily = profile(daily_env, dt.date.today().isoformat())

    # make run end to end (after install): fresh inbox and lake each time
    run_env = {**env_for(work, "e2e"), "STICHTAG_INBOX": str(work / "e2e" / "inbox")}
    measure("`make run` after install (`stichtag run`)", [*STICHTAG, "run"], run_env,
            before=lambda i: shutil.rmtree(work / "e2e", ignore_errors=True))

    if not args.skip_tests:
        measure("`make test` (pytest, one worker per core)", ["make", "-s", "test"],
                {k: v for k, v in os.environ.items() if not k.startswith("STICHTAG_")}, runs=1, cwd=ROOT)

    land = {} if args.skip_land else land_scale(work, args.land_runs, args.land_budget)

    progress("start-up costs")
    startup = {
        "import dagster + definitions": statistics.median(run([str(VENV_BIN / "python"), "-c",
                                                               "import orchestration.definitions"], base)[0]
                                                           for _ in range(args.runs)),
        "dbt --version": statistics.median(run([str(VENV_BIN / "dbt"), "--version"], base)[0]
                                           for _ in range(args.runs)),
        "import great_expectations": statistics.median(run([str(VENV_BIN / "python"), "-c",
                                                            "import great_expectations"], base)[0]
                                                        for _ in range(args.runs)),
    }
    write_report(args.output, machine(), results, rates, sql_rate, py_rate, floor, ingest_floor, startup,
                 {"one Stichtag": steps_one, "132 month ends": steps_series, "the daily job": steps_daily}, args, land)
    progress(f"written {args.output}")
    return 0


def land_scale(work: Path, runs: int, budget_minutes: float) -> dict[str, Result]:
    """Schleswig-Holstein (1,106 Gemeinden, 2.95 million residents): the same commands, STICHTAG_SCALE=land.
    The series stops at its budget: its public zones' attack audits take minutes per month end."""
    env = {**env_for(work, "land"), "STICHTAG_SCALE": "land", "STICHTAG_INBOX": str(work / "land" / "inbox")}
    out: dict[str, Result] = {}
    # the Land benchmark measures the registry path (the benefit systems and official statistics are the Kreis's)
    steps = [("generate", [*STICHTAG, "generate", "--bis", "2026-10", "--quellen", "melderegister", "--quiet"], 1),
             ("ingest", [*STICHTAG, "ingest", "--quiet"], 1),
             ("one Stichtag", [*STICHTAG, "materialise", "--stichtag", "2022-12-31"], runs),
             ("132 month ends, one run", [*STICHTAG, "materialise", "--stichtag", "2015-01-31", "--bis",
                                          "2025-12-31", "--raster", "monatsende"], 1)]
    for name, cmd, n in steps:
        r = out.setdefault(name, Result(name))
        for i in range(n):
            progress(f"Land: {name} ({i + 1}/{n})")
            try:
                s, rss = run(cmd, env, budget=budget_minutes * 60 if name.startswith("132") else None)
            except TimedOut as e:  # the figure says so: a peak so far, not the series' peak
                r.peak_rss_mb.append(e.peak_mb)
                r.stopped = True
                lake = work / "land" / "lake"
                public = len(list((lake / "public" / "audit").glob("stichtag=*.json")))
                exports = len(list((lake / "exports" / "kpi_values").glob("stichtag=*")))
                r.note = (f"{e}: {exports} of 132 month ends exported, {public} public zones written "
                          f"(attack audits); peak RSS until then")
                break
            except RuntimeError as e:  # reported, not hidden: the figure shows the failure
                r.note = "failed: " + str(e).strip().splitlines()[-1][:200]
                break
            r.seconds.append(s)
            r.peak_rss_mb.append(rss)
        if r.note.startswith("failed"):
            break
    if out["ingest"].seconds:
        rows = delivered_rows(work / "land" / "lake")
        out["ingest"].note = f"{rows:,} rows, {rows / out['ingest'].median:,.0f} rows/s"
    return out


def fmt(seconds: float) -> str:
    return f"{seconds:.1f} s"


def _goal(value: float | None, goal: float, unit: str = "s", higher_is_better: bool = False) -> tuple[str, str]:
    if value is None:
        return "–", "not measured"
    met = value >= goal if higher_is_better else value <= goal
    shown = f"{value:,.0f} {unit}" if unit == "rows/s" else f"{value:.1f} {unit}".strip()
    return shown, "**met**" if met else "not met"


def write_report(path: Path, m: dict, r: dict[str, Result], rates: dict[str, tuple[int, float]], sql_rate: float,
                 py_rate: float, floor: float, ingest_floor: float, startup: dict[str, float],
                 profiles: dict[str, dict], args,
                 land: dict[str, Result]) -> None:
    med = {name: (res.median if res.seconds else None) for name, res in r.items()}
    one = med["one Stichtag (`materialise --stichtag`)"]
    series = med["132 month ends, one run"]
    rows = int(r["ingest"].note.split()[0].replace(",", ""))
    big = r.get("ingest, big CSV sources")
    big_rows, big_secs = (int(big.note.split()[0].replace(",", "")), big.median) if big and big.seconds else (0, 0.0)
    land_series = land.get("132 month ends, one run")
    land_one = land.get("one Stichtag")
    goal_rows = [
        ("one Stichtag end to end (`stichtag materialise --stichtag D`, nothing new)", one, GOALS["one Stichtag"], "s",
         False, "≤ 20 s"),
        ("daily job (one new delivery per source, today's Stichtag)", med["daily job (one new delivery per source, "
                                                                         "today)"], GOALS["daily job"], "s", False,
         "≤ 30 s"),
        ("132 month ends in one run / one Stichtag", series / one if series and one else None, GOALS["series ratio"],
         "×", False, "≤ 2 ×"),
        ("ingest, big CSV sources (SGB II, registry), rows delivered / s, wall clock of `stichtag ingest --quellen`",
         big_rows / big_secs
         if big_secs else None, GOALS["ingest rows/s"], "rows/s", True, "≥ 1,000,000 rows/s"),
        # what the machine does with the same files and nothing else: no ingest can be faster
        ("floor of the above: polars alone copying the same CSV deliveries to Parquet, two files at a time, "
         "nothing checked or pseudonymised (`benchmarks/ingest_floor.py`)", ingest_floor, GOALS["ingest rows/s"],
         "rows/s", True, "–"),
        ("ingest, all sources, wall clock of `stichtag ingest`", rows / med["ingest"], GOALS["ingest rows/s"],
         "rows/s", True, "–"),
        ("ingest re-run over an inbox of known deliveries", med["ingest re-run (only known deliveries)"],
         GOALS["ingest re-run"], "s", False, "≤ 3 s"),
        ("`make run` after install, fresh lake and inbox", med["`make run` after install (`stichtag run`)"],
         GOALS["make run"], "s", False, "≤ 120 s"),
        ("`make test` on 2 cores", med.get("`make test` (pytest, one worker per core)"), GOALS["make test"], "s",
         False, "≤ 180 s"),
        # a series stopped at its budget shows its peak so far, and is not met whatever that peak (below)
        ("Land: 132 month ends, " + land_series.note, land_series.rss / 1024, GOALS["land rss gib"], "GiB", False,
         "≤ 4 GiB, and the series complete") if land_series and land_series.stopped else
        ("Land: 132 month ends, peak RSS of all processes", land_series.rss / 1024 if land_series and
         land_series.seconds else None, GOALS["land rss gib"], "GiB", False, "≤ 4 GiB"),
        ("Land: one Stichtag", land_one.median if land_one and land_one.seconds else None,
         GOALS["land one Stichtag"], "s", False, "≤ 60 s"),
    ]
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m benchmarks.run`); do not edit by hand. Benchmarks are not tests.",
        f"Every figure is the median of {args.runs} runs of the command a user runs (a subprocess, wall clock, "
        "warm file cache) unless its runs say otherwise; peak RSS sums all processes of the tree. Kreis scale: "
        "49 Gemeinden, ~326,000 residents, all six internal sources and the official statistics, deliveries "
        "12/2014 – 10/2026.",
        "",
        # measurements by hand or from earlier runs (e.g. the Land part, run on its own) stay, between markers
        *([NOTES_START + current.split(NOTES_START, 1)[1].split(NOTES_END, 1)[0] + NOTES_END, ""]
          if NOTES_START in current and NOTES_END in current else []),
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in m.items()],
        "",
        "## Goals (issue 19), side by side",
        "",
        "| figure | measured | goal | |",
        "|---|---:|---|---|",
    ]
    for name, value, goal, unit, higher, shown_goal in goal_rows:
        shown, met = _goal(value, goal, unit, higher)
        if land_series and land_series.stopped and name.startswith("Land: 132 month ends"):
            met = "not met (the series did not finish)"
        lines.append(f"| {name} | {shown} | {shown_goal} | {met if shown_goal != '–' else ''} |")
    lines += [
        "",
        "## Results",
        "",
        "| measurement | median | runs | peak RSS | note |",
        "|---|---:|---|---:|---|",
    ]
    for res in r.values():
        runs = ", ".join(f"{s:.1f}" for s in res.seconds)
        lines.append(f"| {res.name} | {fmt(res.median) if res.seconds else '–'} | {runs} | {res.rss:.0f} MB | "
                     f"{res.note} |")
    lines += [
        "",
        "## Ratios",
        "",
        "| comparison | value |",
        "|---|---:|",
        *[f"| ingest of {s}: rows delivered / s by the ingest log's seconds (a delivery's reading plus its share of "
          f"its batch's landing; batches overlap the next one's reading, so these add up to more than the wall "
          f"clock) | {n / t:,.0f} rows/s ({n:,} rows) |"
          for s, (n, t) in sorted(rates.items()) if t],
        f"| ingest of the big CSV sources / its floor (polars copying the same files, nothing else) | "
        f"{big_rows / big_secs / ingest_floor:.0%} |" if big_secs else "",
        f"| anonymiser (keyed HMAC-SHA256 in DuckDB, one column) | {sql_rate:,.0f} rows/s |",
        f"| naive per-row Python `hmac` | {py_rate:,.0f} rows/s |",
        f"| one Stichtag: pipeline / floor (one hand-written DuckDB query, {floor:.2f} s) | "
        f"{one / floor:.0f} × |" if one else "",
        "",
        "## Where the seconds go (profile of one in-process run of the job, `benchmarks/profile_steps.py`)",
        "",
    ]
    for title, prof in profiles.items():
        lines += [f"**{title}** — total {prof['total_s']} s: import of Dagster and the definitions "
                  f"{prof['import_and_definitions_s']} s, run {prof['run_s']} s, of which:", "",
                  "| step | seconds |", "|---|---:|",
                  *[f"| {k} | {v} |" for k, v in sorted(prof["steps_s"].items(), key=lambda kv: -kv[1])], ""]
        if prof.get("dbt_models_s"):
            threads = prof.get("dbt_threads")
            lines += [f"The dbt step's slowest models (dbt's own seconds, {threads or '?'} "
                      f"thread{'' if threads == 1 else 's'}): "
                      + ", ".join(f"{k} {v} s" for k, v in prof["dbt_models_s"].items()) + ".", ""]
    lines += ["Start-up costs alone:", "", *[f"- `{k}`: {fmt(v)}" for k, v in startup.items()], ""]
    if land:
        lines += land_section(land)
    # the forecast's backtest is measured by its own script (benchmarks/prognose_backtest.py): its block stays
    if START in current and END in current:
        lines += ["", START + current.split(START, 1)[1].split(END, 1)[0] + END]
    path.write_text("\n".join(line for line in lines) + "\n", encoding="utf-8")


def land_section(land: dict[str, Result]) -> list[str]:
    return ["## Land scale (Schleswig-Holstein, 1,106 Gemeinden, 2.95 million residents)", "",
            "Same code and commands with `STICHTAG_SCALE=land` (generation and ingest once each). The "
            "registry path only (`generate --quellen melderegister`): the benefit systems and the official "
            "statistics are generated for the model Kreis.", "",
            "| measurement | median | runs | peak RSS | note |", "|---|---:|---|---:|---|",
            *[f"| {x.name} | {fmt(x.median) if x.seconds else '–'} | {', '.join(f'{s:.1f}' for s in x.seconds)}"
              f" | {x.rss:.0f} MB | {x.note} |" for x in land.values()], ""]


if __name__ == "__main__":
    sys.exit(main())
