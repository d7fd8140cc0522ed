-- Every person's sequence of registry states: the Bestand on 31.12.2014, then one state per event.
-- A state holds from the end of gueltig_ab up to (not including) the end of gueltig_bis, so the
-- population of a Stichtag D is the state at the end of day D: gueltig_ab <= D < gueltig_bis.
-- Same-day events are ordered by Vorgangsnummer (the registry's order of processing).
-- Incremental by person, exact for any Datenstand, as int_ereignisse_bereinigt: a person's states
-- depend on their own Bestand row and events alone.
-- depends_on: {{ ref('int_personenstaende') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ personen_geaendert_loeschen() }}"
) }}

with bestand as (
    select
        person_pseudonym,
        bestandsdatum as gueltig_ab,
        0::bigint as vorgangsnummer,
        'Bestand' as ereignisart,
        true as wohnhaft,
        gemeinde_ags,
        geschlecht,
        geburtsjahr,
        geburtsmonat,
        staatsangehoerigkeit,
        geburtsstaat,
        make_date(einzugsjahr, einzugsmonat, 1) as eingezogen_am,
        haushalt_pseudonym
    from {{ ref('stg_melderegister__bestand') }}
    where {{ nur_geaenderte_personen('person_pseudonym') }}
),

ereignisse as (
    select
        person_pseudonym,
        ereignisdatum as gueltig_ab,
        vorgangsnummer,
        ereignisart,
        ereignisart not in ('Fortzug', 'Tod') as wohnhaft,
        gemeinde_ags,
        geschlecht,
        geburtsjahr,
        geburtsmonat,
        staatsangehoerigkeit,
        geburtsstaat,
        case when ereignisart in ('Zuzug', 'Umzug', 'Geburt') then date_trunc('month', ereignisdatum)::date end
            as eingezogen_am,
        haushalt_pseudonym
    from {{ ref('int_ereignisse_bereinigt') }}
    where {{ nur_geaenderte_personen('person_pseudonym') }}
),

zustaende as (
    select * from bestand
    union all
    select * from ereignisse
)

select
    * exclude (eingezogen_am),
    -- month (first day) since which registered at the current address; a change of citizenship keeps it.
    -- Months only: the Bestand knows no more, and a day would be a newborn's birth date
    last_value(eingezogen_am ignore nulls) over bisher as wohnhaft_seit_monat,
    -- Einwanderungsgeschichte (approximation of the catalogue): foreign citizenship now or before, or born
    -- abroad; a naturalised person keeps it
    bool_or(staatsangehoerigkeit <> '000' or geburtsstaat <> '000') over bisher as einwanderungsgeschichte,
    lead(gueltig_ab, 1, date '9999-12-31') over person_zeitlinie as gueltig_bis,
    lag(case when wohnhaft then gemeinde_ags end) over person_zeitlinie as vorherige_gemeinde_ags
from zustaende
window
    person_zeitlinie as (partition by person_pseudonym order by gueltig_ab, vorgangsnummer),
    bisher as (person_zeitlinie rows between unbounded preceding and current row)
