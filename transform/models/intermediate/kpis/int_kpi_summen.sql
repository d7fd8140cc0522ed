-- Numerator and denominator of every KPI per area and Stichtag, summed from its catalogue terms
-- (int_kpi_terme), with what fct_kpi_werte needs to give the value its status: whether an input is missing
-- and why, a published caveat, the reference date, whether the figures are official, and whether official
-- age groups cover each term's ages. A table of its own: at Land scale (1,106 Gemeinden, 132 month ends)
-- these sums and the mart's rows in one statement ran out of DuckDB's 2 GB (the sums held in memory while
-- the mart joined them); apart, each fits (measured: BENCHMARKS.md).
with terme as (
    select * from {{ ref('int_kpi_terme') }}
),

-- each form is matched and summed once, then handed to its terms (the match is most of a series' build)
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
)

select * from kpi_summen
