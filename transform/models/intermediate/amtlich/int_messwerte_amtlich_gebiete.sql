{{ config(materialized='view') }}
-- A view: only int_kpi_summen reads it (why views: int_messwerte.sql).
-- The official statistics' measures per Stichtag and published area:
-- * for the comparison areas (Land, Bund);
-- * for measures only they have (unemployment, school leavers) also for the Kreis's own areas: Gemeinden
--   and Ämter from the Gemeinde values, the Kreis from its published value.
-- Official values count as of their newest reference date on or before the Stichtag (annual 31.12.,
-- 1 March, month ends), never interpolated. The own systems' measures are not here: int_kpi_summen matches
-- them at Gemeinde level (int_messwerte) and sums its matches up to Amt and Kreis.
-- `vergleichsgebiet`: a Land or Bund row, which the KPIs read by their comparison formula.
with stichtage as (
    select * from {{ ref('int_stichtage') }}
),

zuordnung as (
    select * from {{ ref('int_gebietszuordnung') }}
),

nur_amtlich as (
    select messgroesse from {{ ref('stg_katalog__messgroessen') }}
    where quelle = 'amtlich'
),

amtlich as (
    select * from {{ ref('int_messwerte_amtlich') }}
),

veroeffentlicht as (
    select distinct
        gebiet_id,
        messgroesse,
        bezugsdatum
    from amtlich
),

stand as (
    select
        s.stichtag,
        a.gebiet_id,
        a.messgroesse,
        max(a.bezugsdatum) as bezugsdatum
    from stichtage as s
    join veroeffentlicht as a on a.bezugsdatum <= s.stichtag
    group by all
),

amtlich_zum_stichtag as (
    select
        stand.stichtag,
        amtlich.*
    from stand
    join amtlich using (gebiet_id, messgroesse, bezugsdatum)
),

eigene_gebiete as (
    select distinct gebiet_id from zuordnung
)

select
    stichtag,
    gebiet_id,
    messgroesse,
    alter,
    alter_bis,
    geschlecht,
    null::boolean as deutsch,
    wert,
    status,
    bezugsdatum,
    gebiet_id not in (select e.gebiet_id from eigene_gebiete as e) as vergleichsgebiet
from amtlich_zum_stichtag
where gebiet_id not in (select e.gebiet_id from eigene_gebiete as e)
    or (gebiet_ebene = 'kreis' and messgroesse in (select n.messgroesse from nur_amtlich as n))

union all
select
    a.stichtag,
    z.gebiet_id,
    a.messgroesse,
    a.alter,
    a.alter_bis,
    a.geschlecht,
    null,
    case when bool_and(a.wert is not null) then sum(a.wert::decimal(38, 6))::double end,
    case when bool_or(a.wert is null) then min(a.status) filter (where a.wert is null)
        when bool_or(a.status <> 'ok') then min(a.status) filter (where a.status <> 'ok') else 'ok'
    end,
    max(a.bezugsdatum),
    false
from amtlich_zum_stichtag as a
join zuordnung as z on z.gemeinde_ags = a.gebiet_id
join {{ ref('stg_referenz__gemeinden') }} as g on g.gemeinde_ags = a.gebiet_id
where a.messgroesse in (select n.messgroesse from nur_amtlich as n)
    and z.gebiet_id not in (g.kreis_ags, g.land_ags)
group by all
