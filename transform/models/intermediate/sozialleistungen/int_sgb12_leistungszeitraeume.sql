-- SGB XII benefit periods from the monthly stock files: one row per (Akte, Leistungsart, Beginn),
-- from its newest listing. A period without an end that the newest stock no longer lists ended
-- with the last stock that did (the legacy export drops closed cases silently at times).
with gelistet as (
    {{ letzte_listung(ref('stg_sozialamt__bestand'), 'akte_pseudonym, leistungsart, leistungsbeginn') }}
)

select
    akte_pseudonym,
    linkage_pseudonym,
    leistungsart,
    leistungsbeginn,
    {{ implizites_ende('leistungsende') }} as leistungsende,
    gemeinde_ags,
    geburtsjahr,
    geburtsmonat,
    geschlecht
from gelistet
where neueste_zuerst = 1
