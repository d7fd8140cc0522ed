select
    tabelle::varchar as tabelle,
    wertmerkmal::varchar as wertmerkmal,
    merkmal::varchar as merkmal,
    wenn_variable::varchar as wenn_variable,
    coalesce(wenn_code::varchar, '') as wenn_code,
    messgroesse::varchar as messgroesse,
    coalesce(faktor, 1)::decimal(18, 6) as faktor,
    geschlecht::varchar as geschlecht,
    geschlecht_variable::varchar as geschlecht_variable,
    alter_variable::varchar as alter_variable,
    alter_von::integer as alter_von,
    alter_bis::integer as alter_bis
from {{ source('katalog', 'amtlich_messgroessen') }}
