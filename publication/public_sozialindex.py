"""The Sozialindex in the public zone: its classes only, and none where an input is hidden.

    lake/public/sozialindex/stichtag=D/sozialindex.parquet

Why classes and not the index values: a status index is a weighted mean of z-scores whose means and standard
deviations run over every Gemeinde, including the cells the public zone hides; published index values for many
Gemeinden let an attacker solve for those means and so for a hidden cell. The classes (status hoch … sehr
niedrig, dynamics positiv/stabil/negativ) are what planners act on, as in Hamburg's Sozialmonitoring. A
Gemeinde whose input is hidden (now, or for the dynamics three years before) gets `gesperrt`: its class would
say on which side of a bound the hidden value lies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from kernel.catalogue import Catalogue
from kernel.files import atomic_copy_to_parquet
from kernel.settings import Settings
from kernel.window import years_earlier

COLUMNS = ("stichtag", "gebiet_id", "gebiet_name", "status", "dynamik", "indikatoren", "veroeffentlicht")


def public_sozialindex_path(settings: Settings, day: dt.date) -> Path:
    return settings.lake / "public" / "sozialindex" / f"stichtag={day.isoformat()}" / "sozialindex.parquet"


def restricted_sozialindex_path(settings: Settings, day: dt.date) -> Path:
    return settings.exports / "sozialindex" / f"stichtag={day.isoformat()}" / "sozialindex.parquet"


def publish_sozialindex(settings: Settings, day: dt.date, public_kpis: Path, catalogue: Catalogue) -> Path | None:
    """The public classes of day's Sozialindex from its restricted export and the public KPI table just
    written; None if the build has no Sozialindex for the day."""
    index = catalogue.sozialindex
    restricted = restricted_sozialindex_path(settings, day)
    if not index or not restricted.exists():
        return None
    inputs = [i["kpi"] for i in index["indikatoren"]]
    earlier = public_kpis.parent.parent / f"stichtag={years_earlier(day, int(index.get('dynamik_jahre', 3)))}" \
        / public_kpis.name
    listing = ", ".join(f"'{k}'" for k in inputs)
    con = duckdb.connect()
    try:
        def hidden(path: Path) -> str:
            # a Gemeinde with any input not published as a value in that public table
            return f"""select g.gebiet_id from (select distinct gebiet_id from read_parquet('{public_kpis}')
                    where gebiet_ebene = 'gemeinde') as g
                left join (select * from read_parquet('{path}') where kpi_id in ({listing})) as k using (gebiet_id)
                group by g.gebiet_id
                having count(k.value) < {len(inputs)} or bool_or(k.status = 'gesperrt')"""
        earlier_hidden = hidden(earlier) if earlier.exists() else "select gebiet_id from s"
        atomic_copy_to_parquet(con, f"""
            with s as (select * from read_parquet('{restricted}')),
            jetzt_gesperrt as ({hidden(public_kpis)}),
            vorher_gesperrt as ({earlier_hidden})
            select s.stichtag, s.gebiet_id, s.gebiet_name,
                case when j.gebiet_id is null then s.status end as status,
                case when j.gebiet_id is null and v.gebiet_id is null then s.dynamik end as dynamik,
                s.indikatoren,
                case when j.gebiet_id is null then 'ok' else 'gesperrt' end as veroeffentlicht
            from s
            left join jetzt_gesperrt as j using (gebiet_id)
            left join vorher_gesperrt as v using (gebiet_id)
            order by s.gebiet_id""", public_sozialindex_path(settings, day))
    finally:
        con.close()
    return public_sozialindex_path(settings, day)
