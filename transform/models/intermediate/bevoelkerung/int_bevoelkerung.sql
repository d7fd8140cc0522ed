{{ config(materialized='view') }}
-- Residents at the end of each Stichtag and of the days one and five years earlier, by Gemeinde, age,
-- sex and citizenship: the population cube every population measure is drawn from. A view: its one reader,
-- int_bevoelkerung_altersgruppen, sums it to the catalogue's age groups as it is counted (written as a table,
-- 2.1 M rows for 132 month ends, then read again).
with tage as (
    select stichtag as tag from {{ ref('int_stichtage') }}
    union
    select vorjahrestag from {{ ref('int_stichtage') }}
    union
    select vor5jahrestag from {{ ref('int_stichtage') }}
),

-- date arithmetic once per day and once per residence period, not per row of their join (43 M rows for
-- 132 month ends: computed there, it was half of this model's time)
bezugstage as (
    select
        tag,
        (tag - interval 5 year)::date as vor5jahrestag
    from tage
),

wohnzeitraeume as (
    select
        *,
        -- counted from the move-in month's last day, so a Wohndauer is never overstated
        last_day(wohnhaft_seit_monat) as wohnhaft_seit
    from {{ ref('int_wohnzeitraeume') }}
)

select
    bezugstage.tag,
    wz.gemeinde_ags,
    {{ alter_am('bezugstage.tag', 'wz.geburtsjahr', 'wz.geburtsmonat') }} as alter,
    wz.geschlecht,
    wz.deutsch,
    count(*) as anzahl,
    -- the residents' measures that need no dimension of their own, counted in this one pass over the
    -- residence periods (each was an interval join of its own: ≈ 27 M rows for 132 month ends)
    count(*) filter (where wz.einwanderungsgeschichte) as anzahl_einwanderungsgeschichte,
    count(*) filter (where wz.wohnhaft_seit <= bezugstage.vor5jahrestag) as anzahl_wohndauer_5j
from bezugstage
join wohnzeitraeume as wz
    on wz.gueltig_ab <= bezugstage.tag and bezugstage.tag < wz.gueltig_bis
group by all
