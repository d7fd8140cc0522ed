{{ config(materialized='view') }}
-- A view: int_kpi_summen reads it once, matching the KPI terms per Gemeinde; as a table it (with the area
-- roll-up then beside it) wrote and re-read ≈ 24 M rows for a series of 132 month ends (the window models
-- 31.8 → 25.8 s as views, measured: BENCHMARKS.md).
-- Named measures per Stichtag and Gemeinde in one long table, with the dimensions KPI terms filter
-- on (age, sex, citizenship). The KPI catalogue refers to measures by these names only. Ages are groups
-- (alter … alter_bis): the catalogue's age groups where a measure is summed to them (population, events),
-- single ages (alter_bis = alter) where it is not; either way every KPI term covers whole groups.
-- Event measures count the 12 months up to the Stichtag: vorjahrestag < ereignisdatum <= stichtag.
with stichtage as (
    select * from {{ ref('int_stichtage') }}
),

bevoelkerung as (
    select * from {{ ref('int_bevoelkerung_altersgruppen') }}
),

-- an event's age is its own, whatever the Stichtag: taken to its age group once per event, before the
-- events are counted into the 12-month windows
ereignisse as (
    select
        case e.ereignisart when 'Geburt' then 'geburten_12m' else 'sterbefaelle_12m' end as messgroesse,
        e.gemeinde_ags,
        e.ereignisdatum,
        e.geschlecht,
        g.alter_von as alter,
        g.alter_bis,
        e.staatsangehoerigkeit = '000' as deutsch
    from {{ ref('int_ereignisse_bereinigt') }} as e
    {{ altersgruppe_join(
        alter_am('e.ereignisdatum', 'e.geburtsjahr', 'e.geburtsmonat'), ref('int_altersgruppen'), 'g'
    ) }}
    where e.ereignisart in ('Geburt', 'Tod')
),

wanderungen as (
    select
        w.messgroesse,
        w.gemeinde_ags,
        w.ereignisdatum,
        w.geschlecht,
        g.alter_von as alter,
        g.alter_bis,
        w.deutsch
    from (
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
    ) as w
    {{ altersgruppe_join(
        alter_am('w.ereignisdatum', 'w.geburtsjahr', 'w.geburtsmonat'), ref('int_altersgruppen'), 'g'
    ) }}
),

-- The 12-month windows (vorjahrestag, stichtag] of all Stichtage cut the calendar at their ends into
-- sections; each event is counted once into its section (the first window end on or after its day), and a
-- window adds up the sections it holds. A series of month ends joins a dozen windows to each group's count
-- per section instead of to each event (132 month ends of the demo Kreis: 9.1 M event-window rows before,
-- int_kpi_summen 1.87 → 1.44 s, identical rows; measured). An event after the last Stichtag has no section,
-- one on or before the first window's start only the first section, which no window holds.
abschnittsenden as (
    select stichtag as tag from stichtage
    union
    select vorjahrestag from stichtage
),

ereignisse_je_abschnitt as (
    select
        e.messgroesse,
        e.gemeinde_ags,
        a.tag as abschnitt_ende,
        e.alter,
        e.alter_bis,
        e.geschlecht,
        e.deutsch,
        count(*) as anzahl
    from (
        select * from ereignisse
        union all
        select * from wanderungen
    ) as e
    asof join abschnittsenden as a on e.ereignisdatum <= a.tag
    group by all
)

select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung' as messgroesse,
    b.alter,
    b.alter_bis,
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
    b.alter_bis,
    b.geschlecht,
    b.deutsch,
    b.summe_alter + 0.5 * b.anzahl
from stichtage as s join bevoelkerung as b on b.tag = s.stichtag

union all
select
    s.stichtag,
    b.gemeinde_ags,
    'bevoelkerung_vorjahr',
    b.alter,
    b.alter_bis,
    b.geschlecht,
    b.deutsch,
    b.anzahl
from stichtage as s join bevoelkerung as b on b.tag = s.vorjahrestag

union all
-- births, deaths, moves in and out: the 12 months up to the Stichtag
select
    s.stichtag,
    e.gemeinde_ags,
    e.messgroesse,
    e.alter,
    e.alter_bis,
    e.geschlecht,
    e.deutsch,
    sum(e.anzahl)::bigint
from stichtage as s
join ereignisse_je_abschnitt as e on e.abschnitt_ende > s.vorjahrestag and e.abschnitt_ende <= s.stichtag
group by all

union all
select
    stichtag,
    gemeinde_ags,
    'haushalte',
    null,
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
    b.alter_bis,
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
    null,
    sum(b.anzahl_wohndauer_5j)
from stichtage as s join bevoelkerung as b on b.tag = s.stichtag
group by all
having sum(b.anzahl_wohndauer_5j) > 0

union all
-- counted by single ages: a group of one age each
select
    stichtag,
    gemeinde_ags,
    messgroesse,
    alter,
    alter as alter_bis,
    geschlecht,
    deutsch,
    wert
from {{ ref('int_messwerte_sozialleistungen') }}
