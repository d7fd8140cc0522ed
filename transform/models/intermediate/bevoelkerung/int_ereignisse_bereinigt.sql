-- Events that stand: every Storno removes itself and the Vorgang it cancels (a correction then
-- arrives as a new Vorgang with the right date). The Storno list is read from two narrow columns, not
-- materialised: holding every event's wide row for it doubled the model's time (measured).
-- Incremental by person, exact for any Datenstand: the persons this build changed
-- (int_personenstaende) are deleted and computed again; a new month's delivery touches a few thousand
-- persons of a million events, and a full build every day was the largest model of the daily job.
-- depends_on: {{ ref('int_personenstaende') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ personen_geaendert_loeschen() }}"
) }}

with ereignisse as not materialized (
    select * from {{ ref('stg_melderegister__ereignisse') }}
),

storniert as (
    select distinct bezugsvorgang as vorgangsnummer
    from ereignisse
    where ereignisart = 'Storno'
)

select ereignisse.*
from ereignisse
anti join storniert using (vorgangsnummer)
where
    ereignisse.ereignisart <> 'Storno'
    and {{ nur_geaenderte_personen('ereignisse.person_pseudonym') }}
