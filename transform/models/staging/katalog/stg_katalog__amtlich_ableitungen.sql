select
    tabelle::varchar as tabelle,
    messgroesse::varchar as messgroesse,
    aus::varchar as aus,
    je::varchar as je,
    mal::varchar as mal,
    faktor::decimal(18, 6) as faktor
from {{ source('katalog', 'amtlich_ableitungen') }}
