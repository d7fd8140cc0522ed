select
    tabelle::varchar as tabelle,
    variable::varchar as variable,
    code::varchar as code,
    alter_von::integer as alter_von,
    alter_bis::integer as alter_bis
from {{ source('katalog', 'amtlich_altersgruppen') }}
