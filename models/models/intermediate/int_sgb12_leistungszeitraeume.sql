-- SGB XII benefit periods from the monthly stock files: one row per (Akte, Leistungsart, Beginn),
-- from its newest listing. A period without an end that the newest stock no longer lists ended
-- with the last stock that did (the legacy export drops closed cases silently at times).
with gelistet as (
    select
        *,
        row_number() over zeitraum as neueste_zuerst,
        max(received_at) over zeitraum as zuletzt_gelistet
    from {{ ref('stg_sozialamt__bestand') }}
    window zeitraum as (partition by akte_pseudonym, leistungsart, leistungsbeginn order by received_at desc)
)

select
    akte_pseudonym,
    linkage_pseudonym,
    leistungsart,
    leistungsbeginn,
    coalesce(
        leistungsende,
        case when zuletzt_gelistet < (select max(received_at) from gelistet)
             then (date_trunc('month', zuletzt_gelistet) - interval 1 day)::date end
    ) as leistungsende,
    gemeinde_ags,
    geburtsjahr,
    geburtsmonat,
    geschlecht
from gelistet
where neueste_zuerst = 1
