-- Wohngeld decisions, limited to the Datenstand.
select
    bescheid_pseudonym,
    haushalt_pseudonym,
    linkage_pseudonym,
    bescheiddatum,
    geburtsjahr,
    geburtsmonat,
    gemeinde_ags,
    haushaltsmitglieder,
    leistungsart,
    bewilligt_von,
    bewilligt_bis,
    wohngeld_eur,
    lieferung_id,
    received_at
from {{ source('wohngeld', 'bescheide') }}
where {{ datenstand_filter('received_at') }}
