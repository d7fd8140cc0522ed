-- Youth welfare cases, one row per extracted version, limited to the Datenstand.
select
    hilfe_pseudonym,
    ja_person_pseudonym,
    linkage_pseudonym,
    replace(hilfeart, '§ ', '') as paragraph,
    beginn,
    ende,
    gemeinde_ags,
    geaendert_am,
    geburtsjahr,
    geburtsmonat,
    geschlecht,
    lieferung_id,
    received_at
from {{ source('jugendamt', 'hilfen') }}
where {{ datenstand_filter('received_at') }}
