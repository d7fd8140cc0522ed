"""`stichtag status`: what an operator checks first — deliveries, quarantine, versions, checks, lock."""

from __future__ import annotations

from collections import Counter, defaultdict

from kernel.lock import lock_holder
from kernel.log import read_events
from kernel.settings import Settings
from kernel.text import german_number
from publication.versions import list_versions
from sources.ingest import read_ingest_log


def collect(settings: Settings) -> dict:
    log = read_ingest_log(settings)
    per_table: dict[str, list[dict]] = defaultdict(list)
    for e in log:
        per_table[f"{e['source']}/{e['table']}"].append(e)
    deliveries = {}
    for table, entries in sorted(per_table.items()):
        last = max(entries, key=lambda e: (e["received_at"], e["lieferung_id"]))
        deliveries[table] = {
            "deliveries": len(entries), "last_delivery": last["lieferung_id"], "last_received_at": last["received_at"],
            "rows_landed": sum(e["rows_landed"] for e in entries),
            "rows_quarantined": sum(e["rows_quarantined"] for e in entries),
            "quarantined_files": sum(e["status"] == "quarantined" for e in entries)}
    reasons = Counter()
    for e in log:
        reasons.update(e.get("reasons") or {})
    versions = list_versions(settings)
    latest = [v for v in versions if v["is_latest"]]
    failed = [v for v in versions if not v["checks_passed"]]
    last_success = max((v["created_at"] for v in versions if v["checks_passed"]), default=None)
    runs = [e for e in read_events(settings) if e["event"] == "publish"]
    return {
        "lake": str(settings.lake),
        "deliveries": deliveries,
        "quarantine": {"rows": sum(e["rows_quarantined"] for e in log), "top_reasons": reasons.most_common(5)},
        "versions": {"total": len(versions), "stichtage": len(latest),
                     "first_stichtag": min((v["stichtag"] for v in latest), default=None),
                     "last_stichtag": max((v["stichtag"] for v in latest), default=None),
                     "last_successful_publication": last_success,
                     "last_run_id": runs[-1].get("run_id") if runs else None},
        "failed_checks": [{"stichtag": v["stichtag"], "datenstand": v["datenstand"], "build": v["build"],
                           "checks": [c["check"] for c in v["checks"] if not c["passed"]]} for v in failed],
        "build_lock": lock_holder(settings),
    }


def render(status: dict) -> str:
    out = [f"Lake: {status['lake']}", "", "Lieferungen"]
    if not status["deliveries"]:
        out.append("  noch keine")
    for table, d in status["deliveries"].items():
        out.append(f"  {table:<28} {d['deliveries']:>4} Lieferungen, zuletzt {d['last_delivery']} "
                   f"(eingegangen {d['last_received_at'][:16].replace('T', ' ')} UTC); "
                   f"{german_number(d['rows_landed'])} Zeilen im Lake, "
                   f"{german_number(d['rows_quarantined'])} in Quarantäne")
    q = status["quarantine"]
    out += ["", f"Quarantäne: {german_number(q['rows'])} Zeilen"]
    out += [f"  {n:>6}  {reason}" for reason, n in q["top_reasons"]]
    v = status["versions"]
    out += ["", "Veröffentlichung",
            f"  {v['stichtage']} Stichtage ({v['first_stichtag'] or '–'} … {v['last_stichtag'] or '–'}), "
            f"{v['total']} Versionen",
            f"  zuletzt erfolgreich: {v['last_successful_publication'] or '–'} (Lauf {v['last_run_id'] or '–'})"]
    failed = status["failed_checks"]
    out += ["", f"Fehlgeschlagene Prüfungen: {len(failed)}"]
    out += [f"  {f['stichtag']} Datenstand {f['datenstand']}: {', '.join(f['checks'])}" for f in failed[:10]]
    lock = status["build_lock"]
    out += ["", f"Build-Sperre: {'gehalten von PID ' + lock if lock else 'frei'}"]
    return "\n".join(out)
