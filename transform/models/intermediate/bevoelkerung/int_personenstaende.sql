-- What each registry person's states are made of, as one number, and the build that last changed it:
-- the Bestand rows and events delivered for the person within the Datenstand, and every Storno that
-- cancels one of the person's Vorgänge (whoever it was delivered under). A person's states depend on
-- nothing else, so the registry models incremental by person (the chain from int_ereignisse_bereinigt,
-- macros/personen_geaendert.sql) recompute exactly the persons this build changed: new deliveries, a
-- Storno, or a build for an earlier Datenstand that drops deliveries (a person left with nothing stays
-- as a row without a number, so that the build that drops them marks them too). Code, catalogue or key
-- changes, a failed build or one of only some models rebuild all of them (warehouse/reuse.py).
-- Persons are keyed by the hash of their pseudonym: grouping on an integer is what makes this a
-- fraction of a full rebuild. Two persons on one hash share one number, so a change of either
-- recomputes both: never fewer persons than changed.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='person_hash',
    on_schema_change='fail'
) }}

with ereignisse as not materialized (
    select
        hash(person_pseudonym) as person_hash,
        vorgangsnummer,
        ereignisart,
        bezugsvorgang,
        lieferung_id,
        source_line
    from {{ ref('stg_melderegister__ereignisse') }}
),

beitraege as (
    select
        hash(person_pseudonym) as person_hash,
        lieferung_id,
        source_line
    from {{ ref('stg_melderegister__bestand') }}
    union all
    select
        person_hash,
        lieferung_id,
        source_line
    from ereignisse
    union all
    select
        storniert.person_hash,
        storno.lieferung_id,
        storno.source_line
    from ereignisse as storno
    inner join ereignisse as storniert on storno.bezugsvorgang = storniert.vorgangsnummer
    where storno.ereignisart = 'Storno'
),

-- a row count and an order-free sum of the rows' hashes: any row added or taken away changes it
jetzt as (
    select
        person_hash,
        hash(count(*), sum(hash(lieferung_id, source_line))) as personenstand
    from beitraege
    group by person_hash
),

-- what the table holds from the last build (nothing in a full build)
bisher as (
    {% if is_incremental() %}
        select
            person_hash,
            personenstand
        from {{ this }}
    {% else %}
        select
            null::ubigint as person_hash,
            null::ubigint as personenstand
        where false
    {% endif %}
)

select
    coalesce(jetzt.person_hash, bisher.person_hash) as person_hash,
    jetzt.personenstand,
    '{{ invocation_id }}' as geaendert_in
from jetzt
full join bisher on jetzt.person_hash = bisher.person_hash
where jetzt.personenstand is distinct from bisher.personenstand
