-- Official values as measures of the catalogue, on the current Gebietsstand: codes become measures, age
-- groups and sexes by the contracts' `statistik` blocks; a Gemeinde that was merged into another counts
-- towards it in every year (series are comparable on today's territory). Only the finest categories are
-- kept (totals over sex or age would count twice). A sum over a secret or missing value is not a number:
-- it keeps that status.
with werte as (
    select * from {{ ref('stg_amtlich__werte') }}
),

zuordnung as (
    select * from {{ ref('stg_katalog__amtlich_messgroessen') }}
),

{% set code_of = "case {var} when w.merkmal_1 then w.auspraegung_1 when w.merkmal_2 then w.auspraegung_2"
                 ~ " when w.merkmal_3 then w.auspraegung_3 end" %}
gemappt as (
    select
        w.* replace ((w.wert::decimal(38, 6) * z.faktor)::decimal(38, 6) as wert),
        z.messgroesse,
        coalesce(z.geschlecht, g.geschlecht) as geschlecht,
        z.geschlecht_variable,
        z.alter_variable,
        coalesce(a.alter_von, z.alter_von) as alter_von,
        coalesce(a.alter_bis, case when a.code is not null then 200 end, z.alter_bis) as alter_bis
    from werte as w
    join zuordnung as z
        on z.tabelle = w.tabelle
            and (z.wertmerkmal is null or z.wertmerkmal = w.wertmerkmal)
            and (z.merkmal is null or z.merkmal = w.merkmal)
            and (
                z.wenn_variable is null
                or {{ code_of.replace('{var}', 'z.wenn_variable') }} = z.wenn_code
            )
    left join {{ ref('stg_katalog__amtlich_geschlecht') }} as g
        on g.tabelle = w.tabelle and g.variable = z.geschlecht_variable
            and g.code = {{ code_of.replace('{var}', 'z.geschlecht_variable') }}
    left join {{ ref('stg_katalog__amtlich_altersgruppen') }} as a
        on a.tabelle = w.tabelle and a.variable = z.alter_variable
            and a.code = {{ code_of.replace('{var}', 'z.alter_variable') }}
),

feinste as (
    select * from gemappt
    where (geschlecht_variable is null or geschlecht is not null)
        and (alter_variable is null or alter_von is not null)
),

gebietsstand as (
    select
        f.*,
        coalesce(h.neuer_ags, f.region_code) as gebiet_id
    from feinste as f
    left join {{ ref('stg_referenz__ags_historie') }} as h on h.alter_ags = f.region_code
),

summiert as (
    select
        bezugsdatum,
        gebiet_id,
        messgroesse,
        alter_von as alter,
        alter_bis,
        geschlecht,
        case when bool_and(wert is not null) then sum(wert)::double end as wert,
        case
            when bool_or(wert is null) then min(status) filter (where wert is null)
            when bool_or(status = 'vorlaeufig') then 'vorlaeufig'
            when bool_or(status = 'geschaetzt') then 'geschaetzt'
            when bool_or(status = 'eingeschraenkt') then 'eingeschraenkt'
            when bool_or(status = 'berichtigt') then 'berichtigt'
            else 'ok'
        end as status
    from gebietsstand
    group by all
),

-- a measure over all its categories (sexes, age groups), for the derived measures
insgesamt as (
    select
        bezugsdatum,
        gebiet_id,
        messgroesse,
        case when bool_and(wert is not null) then sum(wert::decimal(38, 6))::double end as wert,
        min(status) filter (where wert is null) as status
    from summiert
    group by all
),

abgeleitet as (
    select * from summiert
    union all
    -- the population one year before, for rates over the mean population of the year
    select
        (bezugsdatum + interval 1 year)::date,
        gebiet_id,
        'bevoelkerung_vorjahr',
        alter,
        alter_bis,
        geschlecht,
        wert,
        status
    from summiert
    where messgroesse = 'bevoelkerung' and month(bezugsdatum) = 12 and day(bezugsdatum) = 31
    union all
    select
        (bezugsdatum + interval 5 year)::date,
        gebiet_id,
        'bevoelkerung_vor5j',
        alter,
        alter_bis,
        geschlecht,
        wert,
        status
    from summiert
    where messgroesse = 'bevoelkerung' and month(bezugsdatum) = 12 and day(bezugsdatum) = 31
    union all
    -- measures that follow from a published rate (statistik.ableitungen): the base behind a quota
    -- (count × factor / quota, e.g. the labour force behind the unemployment rate), the sum behind a mean
    select
        q.bezugsdatum,
        q.gebiet_id,
        d.messgroesse,
        null,
        null,
        null,
        case
            when d.je is not null and q.wert > 0 then a.wert * d.faktor / q.wert
            when d.mal is not null then a.wert * q.wert
        end,
        case when q.wert is null or a.wert is null then coalesce(nullif(q.status, 'ok'), a.status) else 'ok' end
    from {{ ref('stg_katalog__amtlich_ableitungen') }} as d
    join summiert as q on q.messgroesse = coalesce(d.je, d.mal)
    join insgesamt as a
        on a.messgroesse = d.aus and a.bezugsdatum = q.bezugsdatum and a.gebiet_id = q.gebiet_id
)

select
    *,
    case when gebiet_id = 'DG' then 'bund' when length(gebiet_id) = 2 then 'land'
        when length(gebiet_id) = 5 then 'kreis' else 'gemeinde'
    end as gebiet_ebene
from abgeleitet
