-- SGB II persons per Berichtsmonat as delivered (every revision), limited to the Datenstand.
select
    berichtsmonat,
    last_day(strptime(berichtsmonat || '01', '%Y%m%d'))::date as berichtsmonat_ende,
    bg_pseudonym,
    jc_person_pseudonym,
    linkage_pseudonym,
    haushalt_pseudonym,
    geburtsjahr,
    geburtsmonat,
    geschlecht,
    gemeinde_ags,
    rolle,
    alleinerziehend = 'J' as alleinerziehend,
    aufstocker = 'J' as aufstocker,
    leistungsbeginn,
    leistungsende,
    regelbedarf_eur,
    kdu_eur,
    lieferung_id,
    received_at
from {{ source('jobcenter', 'bestand') }}
where {{ datenstand_filter('received_at') }}
