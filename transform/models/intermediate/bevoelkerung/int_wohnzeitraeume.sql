-- Residence intervals (person-period model): the population on any date is a range query on this
-- table, not a stored snapshot. Zero-length states (two events on one day) drop out here.
-- Incremental by person, exact for any Datenstand, as int_meldezustaende.
-- depends_on: {{ ref('int_personenstaende') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ personen_geaendert_loeschen() }}"
) }}

select
    person_pseudonym,
    gemeinde_ags,
    gueltig_ab,
    gueltig_bis,
    geschlecht,
    geburtsjahr,
    geburtsmonat,
    staatsangehoerigkeit,
    staatsangehoerigkeit = '000' as deutsch,
    einwanderungsgeschichte,
    wohnhaft_seit_monat,
    haushalt_pseudonym
from {{ ref('int_meldezustaende') }}
where
    wohnhaft
    and gueltig_ab < gueltig_bis
    and {{ nur_geaenderte_personen('person_pseudonym') }}
