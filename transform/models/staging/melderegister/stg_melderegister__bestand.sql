-- Residents on 31.12.2014 as delivered in the Bestand extract, limited to the Datenstand.
select
    person_pseudonym,
    geschlecht,
    geburtsjahr,
    geburtsmonat,
    staatsangehoerigkeit,
    coalesce(geburtsstaat, '000') as geburtsstaat,
    gemeinde_ags,
    einzugsjahr,
    einzugsmonat,
    adresse_pseudonym,
    haushalt_pseudonym,
    date '2014-12-31' as bestandsdatum,
    lieferung_id,
    received_at,
    source_line
from {{ source('melderegister', 'bestand') }}
where {{ datenstand_filter('received_at') }}
