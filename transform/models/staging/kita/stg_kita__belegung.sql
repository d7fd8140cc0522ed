-- Child care contracts as listed in each half-yearly workbook, limited to the Datenstand.
select
    vertrag_pseudonym,
    linkage_pseudonym,
    einrichtungsnummer,
    betreuungsart,
    betreuungsart = 'Tagespflege' as kindertagespflege,
    geburtsjahr,
    geburtsmonat,
    gemeinde_ags,
    wochenstunden,
    betreuungsbeginn,
    betreuungsende,
    lieferung_id,
    received_at
from {{ source('kita', 'belegung') }}
where {{ datenstand_filter('received_at') }}
