-- KPI values in long format, one row per (kpi_id, gebiet_id, stichtag): the export contract.
-- Driven by the KPI catalogue (catalogue/kpis.yml): each KPI is a sum of measure terms for the
-- numerator and for the denominator; no SQL is written per KPI. Areas of the build (Gemeinden, Ämter,
-- Kreis) get every KPI (a measure without cases counts 0); comparison areas (Land, Bund) get a KPI where
-- the official statistics have every term (its measure, sex, citizenship), age groups covering the
-- term's ages exactly. Where the official definition differs, the comparison areas take the catalogue's
-- comparison formula (terms of `gebiete` = 'vergleich'), the own areas the KPI's ('eigene'; 'alle' = both).
-- Status: the first missing input's status, else a published caveat (provisional…).
with seiten as (
    select unnest([false, true]) as vergleich
),

terme as (
    select
        t.*,
        s.vergleich,
        row_number() over (
            partition by
                t.kpi_id, s.vergleich order by
                t.rolle, t.messgroesse, t.alter_von, t.alter_bis, t.geschlecht,
                t.deutsch, t.faktor
        ) as term_nr,
        dense_rank() over (
            order by
                t.messgroesse, s.vergleich, t.alter_von, t.alter_bis, t.geschlecht,
                t.deutsch, t.faktor
        ) as form_nr
    from {{ ref('stg_katalog__kpi_terme') }} as t
    join seiten as s
        on t.gebiete = 'alle' or (t.gebiete = 'vergleich') = s.vergleich
),

-- terms of one form (measure, side, ages, sex, citizenship, factor) match the same values: each form is
-- matched and summed once, then handed to its terms (the population has 51 terms of 20 forms, and the
-- match is most of a series' build)
formen as (
    select distinct
        form_nr,
        messgroesse,
        vergleich,
        alter_von,
        alter_bis,
        geschlecht,
        deutsch,
        faktor
    from terme
),

kpis as (
    select * from {{ ref('stg_katalog__kpis') }}
),

-- Own systems: each form is matched at Gemeinde level, on age groups its ages cover whole (int_messwerte),
-- and its sums are added up to Amt and Kreis. Matching after the roll-up instead matched every area's copy
-- of every age (a series of 132 month ends: 28 M rows rolled up to 13 M, then matched; 14.6 → 5.6 s for
-- this model, measured). Decimal sums are exact, so the order of adding is free and the bytes stay stable.
gemeinde_summen as (
    select
        formen.form_nr,
        m.stichtag,
        m.gemeinde_ags,
        sum((formen.faktor * m.wert)::decimal(38, 6)) as summe,
        bool_or(m.wert is null) as fehlt
    from formen
    join {{ ref('int_messwerte') }} as m
        on m.messgroesse = formen.messgroesse
            and not formen.vergleich
            and (formen.alter_von is null or m.alter >= formen.alter_von)
            and (formen.alter_bis is null or m.alter_bis <= formen.alter_bis)
            and (formen.geschlecht is null or m.geschlecht = formen.geschlecht)
            and (formen.deutsch is null or m.deutsch = formen.deutsch)
    group by all
),

eigene_summen as (
    select
        g.form_nr,
        g.stichtag,
        z.gebiet_id,
        sum(g.summe)::double as summe,
        bool_or(g.fehlt) as fehlt
    from gemeinde_summen as g
    join {{ ref('int_gebietszuordnung') }} as z using (gemeinde_ags)
    group by all
),

-- Official statistics, delivered per area and often by age group. Not materialised: its two readers each
-- take what they need (the coverage only grouped rows).
treffer as not materialized (
    select
        formen.form_nr,
        formen.alter_von,
        formen.alter_bis as term_alter_bis,
        formen.faktor,
        amtlich.stichtag,
        amtlich.gebiet_id,
        amtlich.alter,
        amtlich.alter_bis,
        amtlich.wert,
        amtlich.status,
        amtlich.bezugsdatum
    from formen
    join {{ ref('int_messwerte_amtlich_gebiete') }} as amtlich
        on amtlich.messgroesse = formen.messgroesse
            and amtlich.vergleichsgebiet = formen.vergleich
            and (formen.alter_von is null or amtlich.alter >= formen.alter_von)
            and (formen.alter_bis is null or amtlich.alter_bis <= formen.alter_bis)
            and (formen.geschlecht is null or amtlich.geschlecht = formen.geschlecht)
            and (formen.deutsch is null or amtlich.deutsch = formen.deutsch)
),

-- age groups of official tables must tile the form's ages, or its terms are not available
abdeckung as (
    select
        form_nr,
        alter_von,
        term_alter_bis,
        stichtag,
        gebiet_id,
        sum(alter_bis - alter + 1) as jahre
    from (
        select distinct
            form_nr,
            alter_von,
            term_alter_bis,
            stichtag,
            gebiet_id,
            alter,
            alter_bis
        from treffer
        where alter_von is not null or term_alter_bis is not null
    ) as gruppen
    group by all
),

amtliche_summen as (
    select
        t.form_nr,
        t.stichtag,
        t.gebiet_id,
        sum((t.faktor * t.wert)::decimal(38, 6))::double as summe,
        bool_or(t.wert is null) as fehlt,
        min(t.status) filter (where t.wert is null) as fehlstatus,
        min(t.status) filter (where t.status not in ('ok', 'nichts')) as hinweis,
        max(t.bezugsdatum) as bezugsdatum,
        bool_and(
            a.jahre is null
            or a.jahre = coalesce(a.term_alter_bis, 200) - coalesce(a.alter_von, 0) + 1
        ) as abgedeckt
    from treffer as t
    left join abdeckung as a
        on a.form_nr = t.form_nr and a.stichtag = t.stichtag and a.gebiet_id = t.gebiet_id
    group by t.form_nr, t.stichtag, t.gebiet_id
),

-- own figures are as of the Stichtag and provisional where their measure is
form_summen as (
    select
        e.form_nr,
        e.stichtag,
        e.gebiet_id,
        e.summe,
        e.fehlt,
        case when e.fehlt then coalesce(v.status, 'ok') end as fehlstatus,
        case when v.status not in ('ok', 'nichts') then v.status end as hinweis,
        e.stichtag as bezugsdatum,
        false as amtlich,
        true as abgedeckt
    from eigene_summen as e
    join formen using (form_nr)
    left join {{ ref('int_messgroessen_stand') }} as v using (stichtag, messgroesse)
    union all
    select
        form_nr,
        stichtag,
        gebiet_id,
        summe,
        fehlt,
        fehlstatus,
        hinweis,
        bezugsdatum,
        true,
        abgedeckt
    from amtliche_summen
),

term_summen as (
    select
        terme.kpi_id,
        terme.term_nr,
        terme.rolle,
        f.stichtag,
        f.gebiet_id,
        f.summe,
        f.fehlt,
        f.fehlstatus,
        f.hinweis,
        f.bezugsdatum,
        f.amtlich,
        f.abgedeckt
    from terme
    join form_summen as f using (form_nr)
),

kpi_summen as (
    select
        kpi_id,
        gebiet_id,
        stichtag,
        sum(summe::decimal(38, 6)) filter (where rolle = 'zaehler')::double as numerator,
        sum(summe::decimal(38, 6)) filter (where rolle = 'nenner')::double as denominator,
        bool_or(fehlt) as fehlt,
        min(fehlstatus) as fehlstatus,
        min(hinweis) as hinweis,
        max(bezugsdatum) as bezugsdatum,
        bool_and(amtlich) as nur_amtlich,
        bool_or(amtlich) as mit_amtlich,
        bool_and(abgedeckt) as abgedeckt,
        count(distinct term_nr) as terme
    from term_summen
    group by all
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
