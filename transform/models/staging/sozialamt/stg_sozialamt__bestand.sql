-- SGB XII recipients from the monthly stock files, limited to the Datenstand.
select
    akte_pseudonym,
    linkage_pseudonym,
    geburtsjahr,
    geburtsmonat,
    lower(geschlecht) as geschlecht,
    gemeinde_ags,
    leistungsart,
    leistungsbeginn,
    leistungsende,
    bruttobedarf_cent / 100.0 as bruttobedarf_eur,
    lieferung_id,
    received_at
from {{ source('sozialamt', 'bestand') }}
where {{ datenstand_filter('received_at') }}
