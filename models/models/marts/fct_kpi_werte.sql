-- KPI values in long format, one row per (kpi_id, gebiet_id, stichtag): the export contract.
-- Driven by the KPI catalogue (catalogue/kpis.yml): each KPI is a sum of measure terms for the
-- numerator and for the denominator; no SQL is written per KPI.
with terme as (
    select * from {{ ref('stg_katalog__kpi_terme') }}
),

kpis as (
    select * from {{ ref('stg_katalog__kpis') }}
),

messwerte as (
    select * from {{ ref('int_messwerte') }}
),

gemeinde_summen as (
    select terme.kpi_id, terme.rolle, messwerte.stichtag, messwerte.gemeinde_ags,
           sum(terme.faktor * messwerte.wert) as summe
    from terme
    join messwerte
        on messwerte.messgroesse = terme.messgroesse
       and (terme.alter_von is null or messwerte.alter >= terme.alter_von)
       and (terme.alter_bis is null or messwerte.alter <= terme.alter_bis)
       and (terme.geschlecht is null or messwerte.geschlecht = terme.geschlecht)
       and (terme.deutsch is null or messwerte.deutsch = terme.deutsch)
    group by all
),

-- every KPI × Gemeinde × Stichtag, so a measure with no cases counts as 0, not as missing
raster as (
    select kpis.kpi_id, stichtage.stichtag, gemeinden.gemeinde_ags
    from kpis
    cross join {{ ref('int_stichtage') }} as stichtage
    cross join {{ ref('stg_referenz__gemeinden') }} as gemeinden
),

gebiet_summen as (
    select
        raster.kpi_id,
        zuordnung.gebiet_id,
        raster.stichtag,
        sum(coalesce(zaehler.summe, 0)) as numerator,
        sum(coalesce(nenner.summe, 0)) as denominator
    from raster
    join {{ ref('int_gebietszuordnung') }} as zuordnung using (gemeinde_ags)
    left join gemeinde_summen as zaehler
        on zaehler.rolle = 'zaehler' and zaehler.kpi_id = raster.kpi_id
       and zaehler.stichtag = raster.stichtag and zaehler.gemeinde_ags = raster.gemeinde_ags
    left join gemeinde_summen as nenner
        on nenner.rolle = 'nenner' and nenner.kpi_id = raster.kpi_id
       and nenner.stichtag = raster.stichtag and nenner.gemeinde_ags = raster.gemeinde_ags
    group by all
)

select
    s.kpi_id,
    s.gebiet_id,
    g.gebiet_name,
    g.gebiet_ebene,
    s.stichtag,
    case
        when not k.hat_nenner then s.numerator * k.skala
        when s.denominator = 0 then null
        else s.numerator / s.denominator * k.skala
    end as value,
    s.numerator,
    case when k.hat_nenner then s.denominator end as denominator,
    k.einheit as unit,
    case when k.hat_nenner and s.denominator = 0 then 'nicht_berechenbar' else 'ok' end as status
from gebiet_summen as s
join kpis as k using (kpi_id)
join {{ ref('dim_gebiete') }} as g using (gebiet_id)
order by s.kpi_id, s.stichtag, g.gebiet_ebene desc, s.gebiet_id
