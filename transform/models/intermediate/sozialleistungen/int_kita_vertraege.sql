-- Child care contracts in their newest listing. A contract without an end that the newest workbook
-- no longer lists ended with the half-year of its last listing.
with gelistet as (
    {{ letzte_listung(ref('stg_kita__belegung'), 'vertrag_pseudonym') }}
)

select
    vertrag_pseudonym,
    linkage_pseudonym,
    einrichtungsnummer,
    betreuungsart,
    kindertagespflege,
    wochenstunden,
    betreuungsbeginn,
    {{ implizites_ende('betreuungsende') }} as betreuungsende,
    gemeinde_ags,
    geburtsjahr,
    geburtsmonat
from gelistet
where neueste_zuerst = 1
