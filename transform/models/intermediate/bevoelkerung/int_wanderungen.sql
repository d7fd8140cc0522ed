-- Moves across a Gemeinde border: from outside the Kreis (Zuzug), to outside (Fortzug), and between
-- Gemeinden of the Kreis (Umzug). A move within one Gemeinde is no migration. A Fortzug of a person
-- the registry never knew (int_offene_enden) still counts from the Gemeinde it names (the state
-- before the event): migration statistics count every Abmeldung.
-- Incremental by person, exact for any Datenstand, as int_meldezustaende.
-- depends_on: {{ ref('int_personenstaende') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ personen_geaendert_loeschen() }}"
) }}

with bewegungen as (
    select
        person_pseudonym,
        gueltig_ab as ereignisdatum,
        ereignisart,
        case when ereignisart = 'Fortzug' then coalesce(vorherige_gemeinde_ags, gemeinde_ags)
            else vorherige_gemeinde_ags
        end as von_gemeinde_ags,
        case when wohnhaft then gemeinde_ags end as nach_gemeinde_ags,
        geschlecht,
        geburtsjahr,
        geburtsmonat,
        staatsangehoerigkeit = '000' as deutsch
    from {{ ref('int_meldezustaende') }}
    where
        ereignisart in ('Zuzug', 'Fortzug', 'Umzug')
        and {{ nur_geaenderte_personen('person_pseudonym') }}
)

select *
from bewegungen
where coalesce(von_gemeinde_ags, '') <> coalesce(nach_gemeinde_ags, '')
