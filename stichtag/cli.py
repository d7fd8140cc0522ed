"""`stichtag` — the command line of the Stichtag data platform. `stichtag <command> --help` for details."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kernel.lock import BuildLocked
from kernel.settings import EXTERNAL_SOURCES, INTERNAL_SOURCES, Settings, get_settings, keep_files_private
from kernel.text import german_number as _n
from sources.limits import IngestMemoryError
from sources.pseudonym import KeyError_ as PseudonymKeyError

if TYPE_CHECKING:  # the CLI starts fast: Dagster is imported only by the commands that run the job
    import dagster as dg

    from kernel.window import StichtagWindow

ALL_SOURCES = INTERNAL_SOURCES + EXTERNAL_SOURCES
SERIES_START = dt.date(2015, 12, 31)  # the first year end the registry history covers


class CliError(Exception):
    """An error the user can fix; printed without a traceback."""


def _date(text: str) -> dt.date:
    from kernel.window import parse_date

    try:
        return parse_date(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _month(text: str) -> tuple[int, int]:
    try:
        d = dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} ist kein Monat im Format JJJJ-MM") from None
    if d.strftime("%Y-%m") != text:
        raise argparse.ArgumentTypeError(f"{text!r} ist kein Monat im Format JJJJ-MM")
    return d.year, d.month


def last_delivered_month(today: dt.date) -> tuple[int, int]:
    """The registry delivers month M on the 5th of M+1: the latest month delivered by `today`."""
    first = today.replace(day=1)
    back = 1 if today.day >= 5 else 2
    y, m = first.year, first.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return y, m


# ---------------------------------------------------------------------------------------- commands

def _quellen(text: str) -> tuple[str, ...]:
    """The source systems of a `--quellen` list, each one known (generate and ingest take the same names)."""
    sources = tuple(q.strip() for q in text.split(",") if q.strip())
    unknown = sorted(set(sources) - set(ALL_SOURCES))
    if unknown:
        raise CliError(f"unbekannte Quellsysteme {unknown}; bekannt: {', '.join(ALL_SOURCES)}")
    return sources


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from generator.population import GeneratorConfig
    from generator.run import generate

    until = args.bis or last_delivered_month(dt.date.today())
    config = GeneratorConfig(seed=args.seed, until_year=until[0], until_month=until[1], scale=args.faktor,
                             gemeinden_ags=tuple(args.gemeinden.split(",")) if args.gemeinden else None)
    started = time.perf_counter()
    sources = _quellen(args.quellen)
    deliveries = generate(config, settings.inbox, progress=not args.quiet, sources=sources)
    rows = sum(d.rows for d in deliveries)
    print(f"{len(deliveries)} Lieferungen mit {_n(rows)} Zeilen (Seed {config.seed}, bis {until[0]}-{until[1]:02d}) "
          f"in {settings.inbox} geschrieben, {time.perf_counter() - started:.1f} s")
    return 0


def _key(settings: Settings, create: bool):
    """The active key; a missing or unusable one is a PseudonymKeyError, which main reports."""
    from sources.pseudonym import init_demo_key, load_key

    if create:
        key, created = init_demo_key(settings)
        if created:
            print(f"Neuer lokaler Demo-Schlüssel für Pseudonyme angelegt: {settings.key_file} "
                  f"(key_id {key.key_id}). Für echte Daten einen verwalteten Schlüssel setzen "
                  "(STICHTAG_PSEUDONYM_KEY oder STICHTAG_PSEUDONYM_KEY_FILE).")
        return key
    return load_key(settings)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from sources.ingest import ingest_inbox

    sources: tuple[str | None, ...] = _quellen(args.quellen) if args.quellen else (None,)
    key = _key(settings, create=False)
    if not settings.inbox.exists():
        raise CliError(f"Posteingang {settings.inbox} existiert nicht (erst `stichtag generate`?)")
    results = [r for source in sources for r in ingest_inbox(settings, key, progress=not args.quiet, source=source)]
    new = [r for r in results if r.status != "already_ingested"]
    print(ingest_summary(results))
    return 1 if any(r.status == "quarantined" for r in new) and args.strict else 0


def ingest_summary(results: list) -> str:
    """What an ingest did; `results` are its results per delivery, or only the new ones (the job's ingest)."""
    new = [r for r in results if r.status != "already_ingested"]
    known = len(results) - len(new)
    lines = [f"Ingest: {len(new)} Lieferungen neu eingelesen" + (f", {known} schon im Lake." if known else ".")]
    if new:
        d, landed, q = (sum(getattr(r, a) for r in new) for a in ("rows_delivered", "rows_landed", "rows_quarantined"))
        lines.append(f"  Zeilen: {_n(d)} geliefert = {_n(landed)} im Lake + {_n(q)} in Quarantäne")
    refused = [r for r in new if r.status == "quarantined"]
    if refused:
        lines.append(f"  Abgelehnt (ganz in Quarantäne): {len(refused)} Lieferungen"
                     " (`stichtag ingest --strict` endet dann mit Exit-Code 1)")
    for r in new:
        if r.rows_quarantined:
            reasons = "; ".join(f"{k} ({v})" for k, v in sorted(r.reasons.items(), key=lambda kv: -kv[1])[:3])
            lines.append(f"  ! {r.file}: {r.rows_quarantined} Zeilen in Quarantäne: {reasons}")
    return "\n".join(lines)


def cmd_materialise(args: argparse.Namespace, settings: Settings) -> int:
    from kernel.lock import build_lock
    from kernel.window import StichtagWindow

    _key(settings, create=False)
    last = args.bis or args.stichtag
    if last < args.stichtag:
        raise CliError(f"--bis {args.bis} liegt vor --stichtag {args.stichtag}")
    window = StichtagWindow(args.stichtag, last, args.raster, args.datenstand)
    with build_lock(settings):
        _run_job(settings, window)
    published = sorted(p for p in (settings.exports / "kpi_values").glob("stichtag=*")
                       if window.first.isoformat() <= p.name.split("=")[1] <= window.last.isoformat())
    if published:
        from publication.publish import kpi_export_path

        newest = dt.date.fromisoformat(published[-1].name.split("=")[1])
        print(f"Export: {len(published)} Stichtag(e), zuletzt {kpi_export_path(settings, newest)}")
    return 0


def _check_window(window: StichtagWindow) -> None:
    from kernel.window import StichtagOutOfRange, check_window

    try:
        check_window(window.first, window.last, window.datenstand)
    except StichtagOutOfRange as e:
        raise CliError(str(e)) from None


def _run_job(settings: Settings, window: StichtagWindow, must_succeed: bool = True) -> dg.ExecuteInProcessResult:
    """Launch the one job for the window and print what it ingested; its result (a failed run raises, unless
    the caller only needs some of its assets)."""
    _check_window(window)  # before Dagster: its message for a date out of range is cryptic, its import 3–4 s

    from orchestration.lib.execute import failure_messages, run_stichtag_job
    from sources.ingest import IngestResult, read_ingest_log

    known = {e["lieferung_id"] for e in read_ingest_log(settings)}
    started = time.perf_counter()
    print(f"Stichtage {window}: Ingest, Build, Export, öffentliche Zone, Doku, Bericht …", flush=True)
    result = run_stichtag_job(window)
    new = [IngestResult(**e) for e in read_ingest_log(settings) if e["lieferung_id"] not in known]
    if new:
        print(ingest_summary(new))
    if not result.success and must_succeed:
        raise CliError("Lauf fehlgeschlagen:\n  " + "\n  ".join(failure_messages(result)))
    print(f"Fertig in {time.perf_counter() - started:.1f} s (Dagster-Lauf {result.run_id}).")
    return result


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Everything for the demo: key and deliveries, then ONE run of the job over the yearly series
    31.12.2015 … and the latest Stichtag (ingest, build, export, public zone, docs, report)."""
    from kernel.lock import build_lock
    from kernel.window import StichtagWindow

    started = time.perf_counter()
    _key(settings, create=True)
    has_deliveries = settings.inbox.exists() and any(settings.inbox.rglob("*.csv"))
    if not has_deliveries:
        cmd_generate(argparse.Namespace(bis=None, seed=args.seed, faktor=1.0, gemeinden=None, quiet=False,
                                        quellen=",".join(ALL_SOURCES)), settings)
    else:
        print(f"Posteingang {settings.inbox} hat schon Lieferungen: keine neuen erzeugt.")
    stichtag = args.stichtag or latest_complete_stichtag(settings)
    window = StichtagWindow(min(SERIES_START, stichtag), stichtag, "jahresende")
    with build_lock(settings):
        result = _run_job(settings, window)
    from orchestration.lib.execute import failed_checks, materialisation_metadata
    from publication.public_zone import public_path
    from sources.ingest import read_ingest_log

    docs = materialisation_metadata(result, ["docs", "kpi_katalog"]) or {}
    report = materialisation_metadata(result, ["report", "sozialbericht"]) or {}
    log = read_ingest_log(settings)
    print()
    print(f"make run fertig in {time.perf_counter() - started:.0f} s. Stichtag {stichtag}.")
    print(f"  Lieferungen im Lake: {len(log)}, Zeilen: {_n(sum(e['rows_landed'] for e in log))} im Lake, "
          f"{_n(sum(e['rows_quarantined'] for e in log))} in Quarantäne")
    print(_kpi_preview(settings, stichtag))
    print(f"  Exporte (Parquet):  {settings.exports / 'kpi_values'}")
    print(f"  KPI-Dokumentation:  {docs.get('index', '–')}")
    quality = _quality_summary(settings)
    if quality:
        print(f"  Qualitätsprüfungen: {quality}")
    audit = _public_summary(settings, stichtag)
    if audit:
        print(f"  Öffentliche Zone:   {public_path(settings, stichtag)}  ({audit})")
    for reason in failed_checks(result):
        print(f"  NICHT bestanden:    {reason}")
    if "path" in report:
        print(f"  Sozialbericht:      {report['path']}")
        print(f"                      ({report['kpis']} KPIs, {report['gemeinden']} Gemeinden, Zeitreihe mit "
              f"{report['series_points']} Stichtagen; im Browser öffnen, keine Netzverbindung nötig)")
    else:
        print(f"  Sozialbericht:      NICHT erstellt ({report.get('bericht', 'Schritt nicht gelaufen')})")
    forecast = materialisation_metadata(result, ["prognose", "bevoelkerung"]) or {}
    if "path" in forecast:
        basis = forecast["kennzahlen"].get("basis", {})
        last = next((k for k in basis if k.startswith("einwohner_") and k != "einwohner_basis"), None)
        print(f"  Vorausberechnung:   {forecast['path']}  (ab {forecast['basis_stichtag']}"
              + (f", Basisvariante {last[10:]}: {_n(basis[last])} Einwohner" if last else "") + ")")
    print(f"  Analyse-Datenbank:  {settings.analytics_db}  (read-only: `make sql`)")
    print("  Beispiel:  make sql  →  select * from kpi_values_latest where gebiet_ebene = 'kreis';")
    # the last word of a run: nothing delivered about a person stands anywhere the run wrote
    pii_started = time.perf_counter()
    code = cmd_pii_scan(argparse.Namespace(pfad=None, kanarien=None, quiet=True, ohne_lieferungen=False), settings)
    print(f"  (PII-Prüfung in {time.perf_counter() - pii_started:.0f} s)")
    return code


def _quality_summary(settings: Settings) -> str | None:
    from publication.quality import overview_path, read_summary

    counts = read_summary(settings)
    if counts is None:
        return None
    return (f"{counts.blocking_passed} von {counts.blocking} blockierenden bestanden, {len(counts.warnings)} "
            f"Warnungen (Übersicht: {overview_path(settings)})")


def _public_summary(settings: Settings, day: dt.date) -> str | None:
    import json

    from publication.public_zone import audit_path

    path = audit_path(settings, day)
    if not path.exists():
        return None
    audit = json.loads(path.read_text(encoding="utf-8"))
    return (f"{audit['suppressed_cells']} Zellen gesperrt, davon {audit['primary_cells']} primär; Angriffsprüfung "
            f"{'bestanden' if audit['audit_passed'] else 'NICHT bestanden'}")


def latest_complete_stichtag(settings: Settings) -> dt.date:
    """The last day of the latest month whose registry events have been delivered: from the lake, or, before
    the run's ingest has landed them, from the names of the registry's monthly deliveries in the inbox."""
    import duckdb

    glob = settings.raw / "melderegister" / "aenderungen" / "*" / "*.parquet"
    if not list(glob.parent.parent.glob("*/*.parquet")):
        months = sorted(p.stem[-6:] for p in (settings.inbox / "melderegister").glob("EWO_AENDERUNGEN_??????.csv")
                        if p.stem[-6:].isdigit())
        y, m = (int(months[-1][:4]), int(months[-1][4:])) if months else last_delivered_month(dt.date.today())
    else:
        latest = duckdb.execute(f"select max(meldedatum) from read_parquet('{glob}')").fetchone()[0]
        y, m = latest.year, latest.month
    nxt = dt.date(y + m // 12, m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _kpi_preview(settings: Settings, stichtag: dt.date) -> str:
    import duckdb

    from kernel.catalogue import load_catalogue
    from publication.publish import kpi_export_path

    path = kpi_export_path(settings, stichtag)
    if not path.exists():
        return "  (keine KPI-Werte exportiert)"
    rows = duckdb.execute(f"""select kpi_id, value, unit from read_parquet('{path}')
                             where gebiet_ebene = 'kreis' order by kpi_id""").fetchall()
    decimals = {k.id: k.decimals for k in load_catalogue().kpis}
    out = [f"  Kreiswerte am {stichtag}:"]
    for kpi_id, value, unit in rows:
        shown = "–" if value is None else _n(value, decimals.get(kpi_id, 1))
        out.append(f"    {kpi_id:<22} {shown:>12} {unit}")
    return "\n".join(out)


def cmd_sql(args: argparse.Namespace, settings: Settings) -> int:
    from stichtag.sql_shell import run_shell

    if not settings.analytics_db.exists():
        raise CliError(f"{settings.analytics_db} gibt es noch nicht: erst `make run` (oder `stichtag materialise`)")
    return run_shell(settings.analytics_db, args.command)


def cmd_versions_list(args: argparse.Namespace, settings: Settings) -> int:
    from publication.versions import list_versions

    rows = [v for v in list_versions(settings) if not args.stichtag or v["stichtag"] == args.stichtag.isoformat()]
    if not rows:
        print("keine veröffentlichten Versionen")
        return 0
    print(f"{'Stichtag':<11} {'Datenstand':<17} {'Build':<13} {'Lieferungen':>11} {'Zeilen':>7}  Prüfungen  ")
    for v in rows:
        print(f"{v['stichtag']:<11} {v['datenstand']:<17} {v['build']:<13} {len(v['inputs']):>11} "
              f"{v['row_counts']['kpi_values']:>7}  {'ok' if v['checks_passed'] else 'FEHLER':<9}"
              f"{'  ← latest' if v['is_latest'] else ''}")
    return 0


def cmd_versions_prune(args: argparse.Namespace, settings: Settings) -> int:
    from kernel.lock import build_lock
    from publication.publish import refresh_analytics_db
    from publication.versions import prune

    with build_lock(settings):
        try:
            removed = prune(settings, args.keep, dry_run=args.dry_run, failed=args.gescheiterte)
        except ValueError as e:
            raise CliError(str(e)) from None
        if not args.dry_run:
            refresh_analytics_db(settings)
    verb = "würde entfernen" if args.dry_run else "entfernt"
    kept = f"die {args.keep} neuesten Datenstände" if args.keep is not None else "alle Datenstände"
    if args.gescheiterte:
        kept += " ohne gescheiterte Prüfungen"
    print(f"{len(removed)} Versionen {verb} (je Stichtag bleiben {kept} und immer die aktuelle Version)")
    for p in removed:
        print(f"  {p}")
    return 0


def cmd_revisions(args: argparse.Namespace, settings: Settings) -> int:
    from stichtag.sql_shell import run_query

    if not settings.analytics_db.exists():
        raise CliError(f"{settings.analytics_db} gibt es noch nicht: erst `make run`")
    sql = """select gebiet_id, gebiet_name, datenstand, value, numerator, denominator, status, build
             from kpi_revisions where kpi_id = ? and stichtag = ? and (? is null or gebiet_id = ?)
             order by gebiet_ebene desc, gebiet_id, datenstand"""
    gebiet = args.gebiet or None
    return run_query(settings.analytics_db, sql, [args.kpi, args.stichtag, gebiet, gebiet])


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from stichtag.status import collect, render

    status = collect(settings)
    print(json.dumps(status, indent=1, ensure_ascii=False) if args.json else render(status))
    return 1 if status["failed_checks"] else 0


def cmd_key_init(args: argparse.Namespace, settings: Settings) -> int:
    key = _key(settings, create=True)
    print(f"Schlüssel bereit (key_id {key.key_id}).")
    return 0


def cmd_key_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from sources.pseudonym import rotate_key

    retired, new = rotate_key(settings)
    print(f"Neuer aktiver Schlüssel {new.key_id} (vorher {retired.key_id}, bleibt für den Nachbau alter "
          f"Versionen in {settings.key_file}).")
    return cmd_key_repseudonymise(args, settings)


def cmd_key_repseudonymise(args: argparse.Namespace, settings: Settings) -> int:
    from sources.ingest import repseudonymise

    key = _key(settings, create=False)
    results = repseudonymise(settings, key, progress=not args.quiet)
    print(f"Rohzone unter Schlüssel {key.key_id} neu pseudonymisiert.")
    print(ingest_summary(results))
    return 0


def cmd_public(args: argparse.Namespace, settings: Settings) -> int:
    from publication.public_zone import AuditFailed, publish_all_public, publish_public

    try:
        results = [publish_public(settings, args.stichtag)] if args.stichtag else publish_all_public(settings)
    except AuditFailed as e:
        raise CliError(f"Öffentliche Zone nicht veröffentlicht: {e}") from None
    except FileNotFoundError as e:
        raise CliError(f"Kein Export für diesen Stichtag (erst `stichtag materialise`): {e}") from None
    for r in results:
        print(f"{r.stichtag}: {r.suppressed} Zellen gesperrt ({r.primary} primär), Prüfung bestanden → {r.path}")
    if not results:
        print("Öffentliche Zone ist aktuell.")
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from report.build import build_report
    from report.data import ReportError

    try:
        report = build_report(settings, args.stichtag)
    except ReportError as e:
        raise CliError(str(e)) from None
    print(f"Sozialbericht Stichtag {report.stichtag} ({report.kpis} KPIs, {report.gemeinden} Gemeinden, "
          f"Zeitreihe mit {report.series_points} Stichtagen): {report.path}")
    if args.pdf:
        from report.pdf import build_pdfs

        started = time.perf_counter()
        try:
            pdfs = build_pdfs(report.path, args.gemeinden.split(",") if args.gemeinden else None)
        except ReportError as e:
            raise CliError(str(e)) from None
        print(f"PDF für den Kreistag: {len(pdfs)} Dateien in {pdfs[0].parent} ({time.perf_counter() - started:.0f} s): "
              f"{pdfs[0].name} und {len(pdfs) - 1} Gemeindeprofile")
    return 0


def cmd_pii_scan(args: argparse.Namespace, settings: Settings) -> int:
    from generator.canaries import canary_birth_dates_iso, canary_strings
    from kernel.settings import DBT_PROJECT_DIR, PROJECT_ROOT
    from publication.pii_scan import needles_for, scan

    roots = [Path(p) for p in args.pfad] if args.pfad else [
        settings.lake, Path(os.environ.get("DAGSTER_HOME", PROJECT_ROOT / "dagster_home")),
        DBT_PROJECT_DIR / "logs", DBT_PROJECT_DIR / "target", PROJECT_ROOT / "logs",
        PROJECT_ROOT / "docs"]
    texts, dates = canary_strings(), canary_birth_dates_iso()
    delivered: set[str] = set()
    if settings.inbox.exists() and not args.ohne_lieferungen:
        from publication.delivered_values import delivered_values

        delivered = delivered_values(settings.inbox)
    if args.kanarien:
        for line in Path(args.kanarien).read_text(encoding="utf-8").splitlines():
            value = line.strip()
            if value and not value.startswith("#"):
                (dates if len(value) == 10 and value[4] == "-" and value[7] == "-" else texts).append(value)
    findings = scan(roots, needles_for(texts, dates), progress=not args.quiet, delivered=delivered)
    checked = ", ".join(str(r) for r in roots if r.exists())
    if findings:
        print(f"PII-Prüfung: {len(findings)} Funde in {checked}:")
        for f in findings:
            print(f"  {f}")
        return 1
    print(f"PII-Prüfung bestanden: kein Kanarienwert, kein exaktes Kanarien-Geburtsdatum, keiner von "
          f"{len(delivered):,} gelieferten Identifikatoren (Ids, Namen, Straßen der ersten Zeilen jeder Lieferung), "
          f"keine Spalte mit dem Namen eines gelieferten Identifikationsmerkmals in {checked}.")
    return 0


def cmd_quality_suites(args: argparse.Namespace, settings: Settings) -> int:
    from publication.quality import RAW_DIR, write_raw_suites

    paths = write_raw_suites()
    print(f"{len(paths)} Suites der Rohtabellen aus den Quellverträgen in {RAW_DIR}")
    return 0


def cmd_quality_docs(args: argparse.Namespace, settings: Settings) -> int:
    from kernel.build_db import open_build_db
    from kernel.lock import build_lock
    from publication.gx_docs import docs_index, validate_with_gx
    from publication.publish import built_stichtage
    from warehouse.datenstand import read_build_info

    if not settings.warehouse.exists():
        print("Noch kein Build: zuerst `stichtag materialise`.", file=sys.stderr)
        return 2
    with build_lock(settings):  # the build database has one writer; wait for a running build
        info = read_build_info(settings)
        con = open_build_db(settings.warehouse)
        try:
            days = built_stichtage(con, dt.date.fromisoformat(info.min_date), dt.date.fromisoformat(info.max_date))
            outcomes = validate_with_gx(con, settings, days)
        finally:
            con.close()
    failed = [o for o in outcomes if o.failing_days]
    print(f"Great Expectations: {len(outcomes)} Erwartungen über {len(days)} Stichtag(e) des letzten Builds "
          f"(Datenstand {info.datenstand}), {len(failed)} verletzt; Data Docs: {docs_index(settings)}")
    return 0


def cmd_catalogue_docs(args: argparse.Namespace, settings: Settings) -> int:
    from publication.docs import DOCS_DIR, latest_values, write_docs

    target = settings.lake / "docs" / "kpis" if args.werte else DOCS_DIR
    pages = write_docs(target, latest_values(settings.analytics_db) if args.werte else None)
    print(f"{len(pages)} Seiten in {target}")
    return 0


def cmd_catalogue_check(args: argparse.Namespace, settings: Settings) -> int:
    from kernel.catalogue import CatalogueError, load_catalogue

    try:
        cat = load_catalogue()
    except CatalogueError as e:
        raise CliError(f"KPI-Katalog ungültig: {e}") from None
    from warehouse.lineage import measure_model_errors

    errors = measure_model_errors(cat)
    if errors:
        raise CliError("KPI-Katalog passt nicht zum dbt-Projekt: " + "; ".join(errors))
    print(f"KPI-Katalog gültig: {len(cat.kpis)} KPIs, {len(cat.measures)} Messgrößen (sha256 {cat.sha256[:12]}).")
    return 0


def cmd_dbt_parse(args: argparse.Namespace, settings: Settings) -> int:
    from warehouse.dbt import prepare_build
    from warehouse.manifest import parse_project

    prepare_build(settings)
    return parse_project(force=True)


def cmd_dbt_sources(args: argparse.Namespace, settings: Settings) -> int:
    from kernel.settings import PROJECT_ROOT
    from warehouse.dbt_sources import stale_source_files, write_source_files

    if args.check:
        stale = stale_source_files()
        for p in stale:
            print(f"veraltet: {p.relative_to(PROJECT_ROOT)}")
        if stale:
            raise CliError("dbt-Quellen passen nicht zu den Quellverträgen: `stichtag dbt-sources` neu erzeugen")
        print("dbt-Quellen entsprechen den Quellverträgen.")
        return 0
    written = write_source_files()
    print(f"{len(written)} Dateien neu geschrieben" + "".join(f"\n  {p.relative_to(PROJECT_ROOT)}" for p in written))
    return 0


def cmd_prognose(args: argparse.Namespace, settings: Settings) -> int:
    """The one job for the base Stichtag (so its build has exactly the Datenstand asked for), then the forecast's
    summary. `--check` only validates prognose/annahmen.yml."""
    from kernel.lock import build_lock
    from kernel.window import StichtagWindow
    from prognose.annahmen import AnnahmenError, load_annahmen

    try:
        annahmen = load_annahmen()
    except AnnahmenError as e:
        raise CliError(str(e)) from None
    if args.check:
        print(f"prognose/annahmen.yml: {len(annahmen.varianten)} Varianten "
              f"({', '.join(v.id for v in annahmen.varianten)}), {len(annahmen.altersgruppen)} Altersgruppen, "
              f"{annahmen.basisjahre} Basisjahre, bis {annahmen.bis_jahr}.")
        return 0
    basis = args.basis or dt.date(latest_complete_stichtag(settings).year - 1, 12, 31)
    if (basis.month, basis.day) != (12, 31):
        raise CliError(f"--basis {basis} ist kein 31.12.: die Vorausberechnung rechnet in Kalenderjahren")
    _key(settings, create=False)
    with build_lock(settings):
        result = _run_job(settings, StichtagWindow(basis, basis, "jahresende", args.datenstand), must_succeed=False)
    from orchestration.lib.execute import failure_messages, materialisation_metadata

    meta = materialisation_metadata(result, ["prognose", "bevoelkerung"]) or {}
    failures = [] if result.success else failure_messages(result)
    if "path" not in meta:
        raise CliError(f"keine Vorausberechnung ab {basis}: {meta.get('prognose', 'Schritt nicht gelaufen')}"
                       + "".join(f"\n  {f}" for f in failures))
    for f in failures:  # e.g. an old Datenstand's KPI version blocked by its checks: the forecast stands
        print(f"Hinweis, nicht Teil der Vorausberechnung: {f}")
    print(f"Vorausberechnung ab {basis:%d.%m.%Y} (Datenstand {meta['datenstand']}), bis {annahmen.bis_jahr}:"
          f" {meta['path']}{'' if meta['neu'] else ' (unverändert)'}")
    for v in annahmen.varianten:
        k = meta["kennzahlen"][v.id]
        last = f"einwohner_{annahmen.bis_jahr}"
        e0 = k[f"lebenserwartung_{annahmen.bis_jahr}"]
        print(f"  {v.name:<22} {_n(k['einwohner_basis'])} → {_n(k[last])} Einwohner {annahmen.bis_jahr}"
              f" ({(k[last] / k['einwohner_basis'] - 1) * 100:+.1f} %), Geburtenziffer "
              f"{k['zusammengefasste_geburtenziffer']:.2f}, Lebenserwartung {annahmen.bis_jahr} m {e0['m']:.1f} / "
              f"w {e0['w']:.1f}")
    print(f"  Export: {settings.exports / 'prognose' / f'basis={basis}'}; öffentlich (gerundet): "
          f"{settings.lake / 'public' / 'prognose' / f'basis={basis}'}")
    return 0


# ---------------------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="stichtag", description=__doc__,
                                epilog="Pfade: STICHTAG_LAKE (lake/), STICHTAG_INBOX (inbox/), "
                                       "STICHTAG_PSEUDONYM_KEY_FILE (~/.config/stichtag/pseudonym.key).")
    p.add_argument("--lake", type=Path, help="Datenwurzel (statt STICHTAG_LAKE)")
    p.add_argument("--inbox", type=Path, help="Posteingang der Lieferungen (statt STICHTAG_INBOX)")
    p.add_argument("--scale", choices=["kreis", "land"],
                   help="Region (statt STICHTAG_SCALE): kreis = Kreis Pinneberg (Standard), land = Schleswig-Holstein; "
                        "je Region ein eigener Lake")
    sub = p.add_subparsers(dest="command_name", required=True, metavar="BEFEHL")

    g = sub.add_parser("generate", help="Demo-Lieferungen aller Quellsysteme erzeugen (deterministisch): "
                                        "Melderegister, Jobcenter, Sozialamt, Kita, Wohngeld; Jugendamt als "
                                        "PostgreSQL-Datenbank")
    g.add_argument("--seed", type=int, default=20221231, help="Zufalls-Seed (gleicher Seed → gleiche Bytes)")
    g.add_argument("--bis", type=_month, help="letzter Liefermonat JJJJ-MM (Standard: zuletzt gelieferter Monat)")
    g.add_argument("--faktor", type=float, default=1.0, help="Bevölkerungsfaktor (1.0 = amtliche Einwohnerzahl)")
    g.add_argument("--gemeinden", help="nur diese AGS, kommagetrennt (für kleine Testkreise)")
    g.add_argument("--quellen", default=",".join(ALL_SOURCES),
                   help=f"nur diese Quellsysteme, kommagetrennt (Standard: {','.join(ALL_SOURCES)})")
    g.add_argument("--quiet", action="store_true", help="ohne Fortschrittsbalken")
    g.set_defaults(func=cmd_generate)

    i = sub.add_parser("ingest", help="neue Lieferungen anonymisiert in den Lake übernehmen")
    i.add_argument("--quiet", action="store_true", help="ohne Fortschrittsbalken")
    i.add_argument("--strict", action="store_true", help="Exit-Code 1, wenn eine Lieferung ganz in Quarantäne ging")
    i.add_argument("--quellen", help="nur diese Quellsysteme, kommagetrennt (z. B. jobcenter,melderegister)")
    i.set_defaults(func=cmd_ingest)

    m = sub.add_parser("materialise", aliases=["materialize"],
                       help="KPI-Marts für einen Stichtag (oder ein Fenster) bauen und exportieren")
    m.add_argument("--stichtag", type=_date, required=True, help="Stichtag JJJJ-MM-TT (Stand am Ende des Tages)")
    m.add_argument("--bis", type=_date, help="letzter Stichtag eines Fensters (einschließlich), ein Lauf")
    m.add_argument("--raster", choices=["taeglich", "monatsende", "jahresende"], default="taeglich",
                   help="nur Monats- oder Jahresenden des Fensters")
    m.add_argument("--datenstand", type=_date, help="nur Lieferungen, die bis zu diesem Tag eingingen")
    m.set_defaults(func=cmd_materialise)

    r = sub.add_parser("run", help="alles für die Demo: Schlüssel, Lieferungen, Ingest, letzter Stichtag, Exporte")
    r.add_argument("--seed", type=int, default=20221231)
    r.add_argument("--stichtag", type=_date, help="Stichtag (Standard: Ende des zuletzt gelieferten Monats)")
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("sql", help="SQL auf den veröffentlichten Marts (nur lesend)")
    s.add_argument("-c", "--command", help="eine Abfrage ausführen und beenden")
    s.set_defaults(func=cmd_sql)

    v = sub.add_parser("versions", help="veröffentlichte Mart-Versionen (Stichtag × Datenstand) auflisten/aufräumen")
    vsub = v.add_subparsers(dest="versions_command", required=True, metavar="AKTION")
    vl = vsub.add_parser("list", help="Versionen mit Datenstand, Build, Prüfungen, aktueller Version")
    vl.add_argument("--stichtag", type=_date, help="nur dieser Stichtag")
    vl.set_defaults(func=cmd_versions_list)
    vp = vsub.add_parser("prune", help="alte oder gescheiterte Versionen entfernen (nie die aktuelle)")
    vp.add_argument("--keep", type=int, help="so viele neueste Datenstände je Stichtag behalten")
    vp.add_argument("--gescheiterte", action="store_true",
                    help="auch Versionen entfernen, deren Prüfungen scheiterten: nach der Korrektur einer "
                         "Prüfung schreibt und prüft der nächste Lauf sie neu")
    vp.add_argument("--dry-run", action="store_true", help="nur anzeigen")
    vp.set_defaults(func=cmd_versions_prune)

    rv = sub.add_parser("revisions", help="ein KPI-Wert an jedem Datenstand (Revisionen durch Nachmeldungen)")
    rv.add_argument("--kpi", required=True, help="kpi_id, z. B. einwohner")
    rv.add_argument("--stichtag", type=_date, required=True)
    rv.add_argument("--gebiet", help="gebiet_id (AGS); Standard: alle")
    rv.set_defaults(func=cmd_revisions)

    st = sub.add_parser("status", help="Lieferungen, Quarantäne, Versionen, Prüfungen, Build-Sperre")
    st.add_argument("--json", action="store_true", help="maschinenlesbar")
    st.set_defaults(func=cmd_status)

    k = sub.add_parser("key", help="Pseudonym-Schlüssel verwalten")
    ksub = k.add_subparsers(dest="key_command", required=True, metavar="AKTION")
    ksub.add_parser("init", help="lokalen Demo-Schlüssel anlegen (falls keiner gesetzt ist)").set_defaults(
        func=cmd_key_init)
    rot = ksub.add_parser("rotate", help="neuen aktiven Schlüssel anlegen und die Rohzone damit neu "
                                         "pseudonymisieren (aus dem Posteingang und den Quelldatenbanken)")
    rot.add_argument("--quiet", action="store_true", help="ohne Fortschrittsbalken")
    rot.set_defaults(func=cmd_key_rotate)
    rep = ksub.add_parser("repseudonymise", help="Rohzone unter dem aktiven Schlüssel neu aufbauen (nach einer "
                                                 "Rotation außerhalb, z. B. in STICHTAG_PSEUDONYM_KEY)")
    rep.add_argument("--quiet", action="store_true", help="ohne Fortschrittsbalken")
    rep.set_defaults(func=cmd_key_repseudonymise)

    pz = sub.add_parser("public", help="öffentliche Zone: Export mit Zellsperrung (primär und sekundär) und "
                                       "Angriffsprüfung (lineare Optimierung); nur was die Prüfung besteht")
    pz.add_argument("--stichtag", type=_date, help="nur diesen Stichtag (Standard: alle mit neuerem Export)")
    pz.set_defaults(func=cmd_public)

    pii = sub.add_parser("pii-scan", help="PII-Prüfung: Kanarienwerte, exakte Geburtsdaten und Identifikations-"
                         "spalten in Lake (Rohzone, Exporte, öffentliche Zone), Dagster-Instanz und Logs; "
                         "Exit 1 bei Funden")
    pii.add_argument("--pfad", action="append", help="stattdessen diese Datei/dieses Verzeichnis prüfen (mehrfach)")
    pii.add_argument("--kanarien",
                     help="Datei mit eigenen Kanarienwerten, einer je Zeile (Geburtsdaten als JJJJ-MM-TT)")
    pii.add_argument("--quiet", action="store_true", help="ohne Fortschrittsbalken")
    pii.add_argument("--ohne-lieferungen", action="store_true",
                     help="nur Kanarienwerte suchen, nicht die Identifikatoren aus dem Posteingang")
    pii.set_defaults(func=cmd_pii_scan)

    qa = sub.add_parser("quality", help="Qualitätsprüfungen (Suites in expectations/)")
    qsub = qa.add_subparsers(dest="quality_command", required=True)
    qsub.add_parser("suites", help="die Suites der Rohtabellen aus den Quellverträgen erzeugen "
                    "(expectations/raw/)").set_defaults(func=cmd_quality_suites)
    qsub.add_parser("docs", help="die Suites der Veröffentlichung mit Great Expectations über die Stichtage des "
                    "letzten Builds prüfen und dessen Data Docs schreiben (lake/quality/gx/)").set_defaults(
        func=cmd_quality_docs)

    rp = sub.add_parser("report", help="digitaler Sozialbericht: eine HTML-Seite (offline, mit Karte, Zeitreihen, "
                        "Rangfolgen, Gemeindeprofilen) aus der öffentlichen Zone → lake/report/")
    rp.add_argument("--stichtag", type=_date, help="Stichtag des Berichts (Standard: der neueste öffentliche)")
    rp.add_argument("--pdf", action="store_true", help="dazu PDF für den Kreistag (Kreisbericht und je Gemeinde ein "
                    "Profil, mit headless Chromium) nach …/pdf/")
    rp.add_argument("--gemeinden", help="nur die Profile dieser AGS, kommagetrennt (mit --pdf)")
    rp.set_defaults(func=cmd_report)

    pg = sub.add_parser("prognose", help="Bevölkerungsvorausberechnung je Gemeinde bis 2040 (Kohorten-Komponenten, "
                        "Annahmen in prognose/annahmen.yml): baut den Basisstichtag und schreibt die Vorausberechnung")
    pg.add_argument("--basis", type=_date, help="Basisstichtag, ein 31.12. (Standard: der letzte vollständige)")
    pg.add_argument("--datenstand", type=_date,
                    help="nur Lieferungen, die bis zu diesem Tag eingingen (z. B. für eine Rückrechnung)")
    pg.add_argument("--check", action="store_true", help="nur prognose/annahmen.yml prüfen")
    pg.set_defaults(func=cmd_prognose)

    c = sub.add_parser("catalogue", help="KPI-Katalog prüfen")
    csub = c.add_subparsers(dest="catalogue_command", required=True, metavar="AKTION")
    csub.add_parser("check", help="catalogue/kpis.yml validieren").set_defaults(func=cmd_catalogue_check)
    d = csub.add_parser("docs", help="Katalog-Dokumentation erzeugen: eine Seite je KPI (docs/kpis/, "
                                     "mit --werte die neuesten Werte nach lake/docs/kpis/)")
    d.add_argument("--werte", action="store_true", help="neueste veröffentlichte Werte einfügen (nach lake/docs/kpis/)")
    d.set_defaults(func=cmd_catalogue_docs)

    sub.add_parser("dbt-parse", help="dbt-Manifest für Dagster erzeugen (make manifest)").set_defaults(
        func=cmd_dbt_parse)
    ds = sub.add_parser("dbt-sources", help="dbt-Quellen (transform/models/staging/*/_*__sources.yml) aus den "
                                            "Quellverträgen sources/contracts/ erzeugen")
    ds.add_argument("--check", action="store_true", help="nur prüfen, ob die erzeugten Dateien aktuell sind")
    ds.set_defaults(func=cmd_dbt_sources)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    keep_files_private()
    if args.lake:
        os.environ["STICHTAG_LAKE"] = str(args.lake.resolve())
    if args.inbox:
        os.environ["STICHTAG_INBOX"] = str(args.inbox.resolve())
    if args.scale:
        os.environ["STICHTAG_SCALE"] = args.scale
    settings = get_settings()
    try:
        return args.func(args, settings)
    except (CliError, PseudonymKeyError, IngestMemoryError) as e:
        print(f"Fehler: {e}", file=sys.stderr)
        return 2
    except BuildLocked as e:
        print(f"Fehler: {e}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("abgebrochen", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
