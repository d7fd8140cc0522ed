select
    tabelle::varchar as tabelle,
    variable::varchar as variable,
    code::varchar as code,
    geschlecht::varchar as geschlecht
from {{ source('katalog', 'amtlich_geschlecht') }}
