"""Start runs when a new or changed delivery appears in the inbox.

A change delivery can carry late reports and corrections of earlier months: besides today's
Stichtag, the month ends from the earliest Ereignisdatum it touches up to today are rebuilt, in one
run of the same job over a month-end window (a new Datenstand for each; older versions stay as they
were published).
"""

import datetime as dt
import hashlib
import json
from pathlib import Path

import dagster as dg

from kernel.settings import get_settings
from kernel.window import StichtagWindow
from orchestration.defs.window import fenster_config
from sources.contract import contract_for, load_contracts
from sources.ingest import delivery_files


def inbox_state() -> dict[str, str]:
    settings = get_settings()
    return {str(p.relative_to(settings.inbox)): f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in delivery_files(settings.inbox)}


def earliest_event_date(path: Path) -> dt.date | None:
    """Earliest event date in a change delivery (only that column is read), None if it has none."""
    import polars as pl

    contract = contract_for(path.name, load_contracts())
    date_columns = [c.name for c in contract.columns if c.name == "Ereignisdatum"] if contract else []
    if not date_columns:
        return None
    try:
        df = pl.read_csv(path, separator=contract.delimiter, encoding="windows-1252", columns=date_columns,
                         infer_schema=False)
        dates = df[date_columns[0]].str.strptime(pl.Date, contract.date_format, strict=False).drop_nulls()
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
        return None  # the ingest quarantines what cannot be read; nothing to backfill for it
    return dates.min() if len(dates) else None


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def month_ends_between(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last month end in [first, last], if any."""
    start = _month_end(first)
    end = last if _month_end(last) == last else last.replace(day=1) - dt.timedelta(days=1)
    return (start, end) if start <= end else None


def run_requests(changed: list[Path], today: dt.date, run_key: str) -> list[dg.RunRequest]:
    """Two runs of the one job: today's Stichtag, and the month ends the late reports touch."""
    requests = [dg.RunRequest(run_key=f"{run_key}-heute", run_config=fenster_config(StichtagWindow(today, today)),
                              tags={"stichtag/anlass": "neue Lieferung", "stichtag/fenster": str(today)})]
    earliest = min((d for d in map(earliest_event_date, changed) if d is not None), default=None)
    if earliest is not None and earliest < today:
        span = month_ends_between(earliest, today - dt.timedelta(days=1))
        if span:
            window = StichtagWindow(span[0], span[1], "monatsende")
            requests.append(dg.RunRequest(
                run_key=f"{run_key}-nachmeldungen", run_config=fenster_config(window),
                tags={"stichtag/anlass": f"Nachmeldungen ab {earliest.isoformat()}",
                      "stichtag/fenster": str(window)}))
    return requests


def build_inbox_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description="New delivery in the inbox → ingest it, rebuild today's Stichtag and the month "
                           "ends its late reports touch.")
    def inbox_sensor(context: dg.SensorEvaluationContext):
        settings = get_settings()
        state = inbox_state()
        previous = json.loads(context.cursor) if context.cursor else {}
        changed = sorted(k for k, v in state.items() if previous.get(k) != v)
        if not changed:
            return dg.SkipReason("keine neue Lieferung im Posteingang")
        context.update_cursor(json.dumps(state, sort_keys=True))
        run_key = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
        return run_requests([settings.inbox / c for c in changed], dt.datetime.now(dt.UTC).date(), run_key)

    return inbox_sensor
