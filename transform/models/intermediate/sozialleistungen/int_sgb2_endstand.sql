-- Each Berichtsmonat of the SGB II statistics from its newest delivery within the Datenstand (the job
-- centre revises the last three months). It does not depend on the Stichtag window, so a build with the
-- same inputs keeps it (warehouse/reuse.py); int_sgb2_personen picks the Berichtsmonat per Stichtag.
with geliefert as (
    select
        *,
        max(received_at) over (partition by berichtsmonat) as neueste_lieferung
    from {{ ref('stg_jobcenter__bestand') }}
)

select
    berichtsmonat,
    berichtsmonat_ende,
    gemeinde_ags,
    bg_pseudonym,
    jc_person_pseudonym,
    geburtsjahr,
    geburtsmonat,
    geschlecht,
    rolle,
    alleinerziehend,
    aufstocker,
    leistungsbeginn,
    leistungsende
from geliefert
where received_at = neueste_lieferung
