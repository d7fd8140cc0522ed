-- Each Berichtsmonat of the SGB II statistics from its newest delivery within the Datenstand (the job
-- centre revises the last three months). It does not depend on the Stichtag window, so a build with the
-- same inputs keeps it (warehouse/reuse.py); int_sgb2_personen picks the Berichtsmonat per Stichtag.
-- The newest delivery per Berichtsmonat comes from a second scan of two narrow columns: a window over
-- every delivered row (all revisions, ≈ 10 M at Kreis scale), or a materialised CTE, would hold the wide
-- rows in memory and spill them (12.3 s against 4.5 s in the daily job, measured: BENCHMARKS.md).
with geliefert as not materialized (
    select * from {{ ref('stg_jobcenter__bestand') }}
),

neueste_lieferung as (
    select
        berichtsmonat,
        max(received_at) as received_at
    from geliefert
    group by berichtsmonat
)

select
    geliefert.berichtsmonat,
    geliefert.berichtsmonat_ende,
    geliefert.gemeinde_ags,
    geliefert.bg_pseudonym,
    geliefert.jc_person_pseudonym,
    geliefert.geburtsjahr,
    geliefert.geburtsmonat,
    geliefert.geschlecht,
    geliefert.rolle,
    geliefert.alleinerziehend,
    geliefert.aufstocker,
    geliefert.leistungsbeginn,
    geliefert.leistungsende
from geliefert
semi join neueste_lieferung using (berichtsmonat, received_at)
