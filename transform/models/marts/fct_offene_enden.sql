-- Data quality for planners: per Stichtag, Gemeinde and kind of event, how many registry events of
-- unknown persons (int_offene_enden) lie in the 12 months up to the Stichtag and before it at all.
-- Counts only, never identities; restricted like every mart (the public zone does not carry it).
with stichtage as (
    select * from {{ ref('int_stichtage') }}
),

offen as (
    select * from {{ ref('int_offene_enden') }}
)

select
    s.stichtag,
    o.gemeinde_ags,
    o.ereignisart,
    count(*) filter (where o.ereignisdatum > s.vorjahrestag) as anzahl_12m,
    count(*) as anzahl_bis_stichtag
from stichtage as s
join offen as o on o.ereignisdatum <= s.stichtag
group by all
order by s.stichtag, o.gemeinde_ags, o.ereignisart
