"""Start a run when a new or changed delivery appears in the inbox."""


import datetime as dt
import hashlib
import json

import dagster as dg

from sources.ingest import delivery_files
from stichtag.settings import get_settings


def inbox_state() -> dict[str, str]:
    settings = get_settings()
    return {str(p.relative_to(settings.inbox)): f"{p.stat().st_size}:{p.stat().st_mtime_ns}"
            for p in delivery_files(settings.inbox)}


def build_inbox_sensor(job: dg.JobDefinition) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
               description="New delivery in the inbox → ingest it and rebuild today's Stichtag.")
    def inbox_sensor(context: dg.SensorEvaluationContext):
        state = inbox_state()
        previous = json.loads(context.cursor) if context.cursor else {}
        changed = sorted(k for k, v in state.items() if previous.get(k) != v)
        if not changed:
            return dg.SkipReason("keine neue Lieferung im Posteingang")
        context.update_cursor(json.dumps(state, sort_keys=True))
        today = dt.datetime.now(dt.UTC).date().isoformat()
        run_key = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
        return dg.RunRequest(run_key=run_key, partition_key=today,
                             tags={"stichtag/lieferungen": ",".join(changed)[:1000]})

    return inbox_sensor
