-- Registry events as delivered (including Stornos), limited to the Datenstand.
select
    vorgangsnummer,
    ereignisart,
    ereignisdatum,
    meldedatum,
    bezugsvorgang,
    person_pseudonym,
    geschlecht,
    geburtsjahr,
    geburtsmonat,
    staatsangehoerigkeit,
    coalesce(geburtsstaat, '000') as geburtsstaat,
    gemeinde_ags,
    adresse_pseudonym,
    haushalt_pseudonym,
    lieferung_id,
    received_at,
    source_line
from {{ source('melderegister', 'aenderungen') }}
where {{ datenstand_filter('received_at') }}
