{{ config(materialized='view') }}
-- A view: fct_kpi_werte reads it once, matching the KPI terms per Gemeinde; as a table it (with the area
-- roll-up then beside it) wrote and re-read ≈ 24 M rows for a series of 132 month ends (the window models
-- 31.8 → 25.8 s as views, measured: BENCHMARKS.md).
-- Named measures per Stichtag and Gemeinde in one long table, with the dimensions KPI terms filter
-- on (age, sex, citizenship). The KPI catalogue refers to measures by these names only.
-- Event measures count the 12 months up to the Stichtag: vorjahrestag < ereignisdatum <= stichtag.
with stichtage as (
    select * from {{ ref('int_stichtage') }}
),

bevoelkerung as (
    select * from {{ ref('int_bevoelkerung') }}
),

ereignisse as (
    select
        ereignisart,
        ereignisdatum,
        gemeinde_ags,
        geschlecht,
        geburtsjahr,
        geburtsmonat,
        staatsangehoerigkeit = '000' as deutsch
    from {{ ref('int_ereignisse_bereinigt') }}
    where ereignisart in ('Geburt', 'Tod')
),

wanderungen as (
    select
        'zuzuege_12m' as messgroesse,
        nach_gemeinde_ags as gemeinde_ags,
        *
    from {{ ref('int_wanderungen') }}
    where nach_gemeinde_ags is not null
    union all
    select
        'fortzuege_12m',
        von_gemeinde_ags,
        *
    from {{ ref('int_wanderungen') }}
    where von_gemeinde_ags is not null
)

select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung' as messgroesse,
    b.alter,
    b.geschlecht,
    b.deutsch,
    b.anzahl::double as wert
from stichtage as s join bevoelkerung as b on b.tag = s.stichtag

union all
-- Durchschnittsalter as official statistics compute it: completed years + 0.5.
select
    s.stichtag,
    b.gemeinde_ags,
    'alterssumme',
    b.alter,
    b.geschlecht,
    b.deutsch,
    b.anzahl * (b.alter + 0.5)
from stichtage as s join bevoelkerung as b on b.tag = s.stichtag

union all
select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung_vorjahr',
    b.alter,
    b.geschlecht,
    b.deutsch,
    b.anzahl
from stichtage as s join bevoelkerung as b on b.tag = s.vorjahrestag

union all
select
    s.stichtag,
    e.gemeinde_ags,
    case e.ereignisart when 'Geburt' then 'geburten_12m' else 'sterbefaelle_12m' end,
    {{ alter_am('e.ereignisdatum', 'e.geburtsjahr', 'e.geburtsmonat') }},
    e.geschlecht,
    e.deutsch,
    count(*)
from stichtage as s
join ereignisse as e on e.ereignisdatum > s.vorjahrestag and e.ereignisdatum <= s.stichtag
group by all

union all
select
    s.stichtag,
    w.gemeinde_ags,
    w.messgroesse,
    {{ alter_am('w.ereignisdatum', 'w.geburtsjahr', 'w.geburtsmonat') }},
    w.geschlecht,
    w.deutsch,
    count(*)
from stichtage as s
join wanderungen as w on w.ereignisdatum > s.vorjahrestag and w.ereignisdatum <= s.stichtag
group by all

union all
select
    stichtag,
    gemeinde_ags,
    'haushalte',
    null,
    null,
    null,
    haushalte
from {{ ref('int_haushalte') }}
where haushalte > 0

union all
select
    stichtag,
    gemeinde_ags,
    'haushalte_1p',
    null,
    null,
    null,
    haushalte_1p
from {{ ref('int_haushalte') }}
where haushalte_1p > 0

union all
select
    stichtag,
    gemeinde_ags,
    'haushalte_alleinerziehend',
    null,
    null,
    null,
    haushalte_alleinerziehend
from {{ ref('int_haushalte') }}
where haushalte_alleinerziehend > 0

union all
select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung_vor5j',
    b.alter,
    b.geschlecht,
    b.deutsch,
    b.anzahl
from stichtage as s join bevoelkerung as b on b.tag = s.vor5jahrestag

union all
-- the area of each Gemeinde (GV100AD), for densities
select
    s.stichtag,
    g.gemeinde_ags,
    'flaeche_km2',
    null,
    null,
    null,
    g.flaeche_km2
from stichtage as s cross join {{ ref('stg_referenz__gemeinden') }} as g

union all
select
    stichtag,
    gemeinde_ags,
    'haushalte_mit_kindern',
    null,
    null,
    null,
    haushalte_mit_kindern
from {{ ref('int_haushalte') }}
where haushalte_mit_kindern > 0

union all
select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung_einwanderungsgeschichte',
    null,
    null,
    null,
    sum(b.anzahl_einwanderungsgeschichte)
from stichtage as s join bevoelkerung as b on b.tag = s.stichtag
group by all
having sum(b.anzahl_einwanderungsgeschichte) > 0

union all
select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung_wohndauer_5j',
    null,
    null,
    null,
    sum(b.anzahl_wohndauer_5j)
from stichtage as s join bevoelkerung as b on b.tag = s.stichtag
group by all
having sum(b.anzahl_wohndauer_5j) > 0

union all
select * from {{ ref('int_messwerte_sozialleistungen') }}
