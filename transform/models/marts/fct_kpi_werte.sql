-- KPI values in long format, one row per (kpi_id, gebiet_id, stichtag): the export contract. Driven by the KPI
-- catalogue (catalogue/kpis.yml): each KPI is a sum of measure terms for the numerator and for the denominator (summed
-- in int_kpi_summen); no SQL is written per KPI. Areas of the build (Gemeinden, Ämter, Kreis) get every KPI (a measure
-- without cases counts 0); comparison areas (Land, Bund) get a KPI where the official statistics have every term (its
-- measure, sex, citizenship), age groups covering the term's ages exactly. Where the official definition differs, the
-- comparison areas take the catalogue's comparison formula (terms of `gebiete` = 'vergleich'), the own areas the KPI's
-- ('eigene'; 'alle' = both). Status: the first missing input's status, else a published caveat (provisional…).
with terme as (
    select * from {{ ref('int_kpi_terme') }}
),

kpis as (
    select * from {{ ref('stg_katalog__kpis') }}
),

-- per KPI, area and Stichtag: its numerator and denominator summed from its terms
kpi_summen as (
    select * from {{ ref('int_kpi_summen') }}
),

kpi_messgroessen as (
    select
        kpi_id,
        vergleich,
        count(*) as terme,
        bool_or(messgroesse in (
            select m.messgroesse from {{ ref('stg_katalog__messgroessen') }} as m
            where m.quelle = 'amtlich'
        )) as braucht_amtlich
    from terme
    group by kpi_id, vergleich
),

kpi_messgroessen_eigen as (
    select * from kpi_messgroessen
    where not vergleich
),

kpi_messgroessen_vergleich as (
    select * from kpi_messgroessen
    where vergleich
),

eigene as (
    select
        kpis.kpi_id,
        stichtage.stichtag,
        gebiete.gebiet_id
    from kpis
    cross join {{ ref('int_stichtage') }} as stichtage
    cross join {{ ref('dim_gebiete') }} as gebiete
),

-- a KPI over a provisional measure is provisional in every own area, its zeros included
kpi_vorlaeufig as (
    select distinct
        terme.kpi_id,
        v.stichtag,
        v.status
    from terme
    join {{ ref('int_messgroessen_stand') }} as v using (messgroesse)
    where not terme.vergleich
),

zeilen as (
    -- a KPI of official figures that have no value for this Stichtag yet is not 0 but not available
    select
        e.kpi_id,
        e.gebiet_id,
        e.stichtag,
        coalesce(s.numerator, 0) as numerator,
        coalesce(s.denominator, 0) as denominator,
        coalesce(s.fehlt, false) or (m.braucht_amtlich and not coalesce(s.mit_amtlich, false)) as fehlt,
        coalesce(s.fehlstatus, 'nicht_verfuegbar') as fehlstatus,
        coalesce(s.hinweis, v.status) as hinweis,
        coalesce(s.bezugsdatum, e.stichtag) as bezugsdatum,
        case when s.nur_amtlich then 'amtlich' when s.mit_amtlich then 'gemischt' else 'intern' end as quelle
    from eigene as e
    join kpi_messgroessen_eigen as m using (kpi_id)
    left join kpi_summen as s using (kpi_id, gebiet_id, stichtag)
    left join kpi_vorlaeufig as v using (kpi_id, stichtag)
    union all
    select
        s.kpi_id,
        s.gebiet_id,
        s.stichtag,
        s.numerator,
        coalesce(s.denominator, 0),
        s.fehlt,
        s.fehlstatus,
        s.hinweis,
        s.bezugsdatum,
        'amtlich'
    from kpi_summen as s
    join kpi_messgroessen_vergleich as m using (kpi_id)
    where s.gebiet_id not in (select d.gebiet_id from {{ ref('dim_gebiete') }} as d)
        and s.terme = m.terme and s.abgedeckt
),

gebiete as (
    select
        gebiet_id,
        gebiet_name,
        gebiet_ebene
    from {{ ref('dim_gebiete') }}
    union all
    select
        'DG',
        'Deutschland',
        'bund'
    union all
    select
        '01',
        'Schleswig-Holstein',
        'land'
    where '01' not in (select gebiet_id from {{ ref('dim_gebiete') }})
)

select
    z.kpi_id,
    z.gebiet_id,
    g.gebiet_name,
    g.gebiet_ebene,
    z.stichtag,
    case
        when z.fehlt then null
        when not k.hat_nenner then z.numerator * k.skala
        when z.denominator = 0 then null
        else z.numerator / z.denominator * k.skala
    end as value,
    -- a rate over nothing has no numerator either (the whole population over 0 is no figure)
    case when not z.fehlt and not (k.hat_nenner and z.denominator = 0) then z.numerator end as numerator,
    case when k.hat_nenner and not z.fehlt then z.denominator end as denominator,
    k.einheit as unit,
    case
        when z.fehlt then z.fehlstatus
        when k.hat_nenner and z.denominator = 0 then 'nicht_berechenbar'
        when z.hinweis is not null then z.hinweis
        else 'ok'
    end as status,
    z.bezugsdatum,
    z.quelle
from zeilen as z
join kpis as k using (kpi_id)
join gebiete as g using (gebiet_id)
order by z.kpi_id asc, z.stichtag asc, g.gebiet_ebene desc, z.gebiet_id asc
