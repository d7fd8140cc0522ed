select
    messgroesse::varchar as messgroesse,
    quelle::varchar as quelle,
    vorlaeufig_moeglich::boolean as vorlaeufig_moeglich
from {{ source('katalog', 'messgroessen') }}
