-- Registry events of persons the registry never registered before: a Fortzug, Umzug, Tod or change of
-- citizenship as a person's first known state (their Zuzug or Geburt is not reported yet, or lies before
-- the opening Bestand under another Ordnungsmerkmal). The population cannot count them (they were never
-- resident as far as the registry knows), but the flows do: migration statistics count every Abmeldung.
-- Incremental by person, exact for any Datenstand, as int_meldezustaende.
-- depends_on: {{ ref('int_personenstaende') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ personen_geaendert_loeschen() }}"
) }}

with zustaende as (
    select
        *,
        row_number() over (partition by person_pseudonym order by gueltig_ab, vorgangsnummer) as nr
    from {{ ref('int_meldezustaende') }}
    where {{ nur_geaenderte_personen('person_pseudonym') }}
)

select
    person_pseudonym,
    vorgangsnummer,
    gueltig_ab as ereignisdatum,
    ereignisart,
    gemeinde_ags
from zustaende
where nr = 1 and ereignisart not in ('Bestand', 'Zuzug', 'Geburt')
