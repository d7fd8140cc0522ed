select
    kpi_id::varchar as kpi_id,
    gebiete::varchar as gebiete,
    rolle::varchar as rolle,
    messgroesse::varchar as messgroesse,
    faktor::double as faktor,
    alter_von::integer as alter_von,
    alter_bis::integer as alter_bis,
    geschlecht::varchar as geschlecht,
    deutsch::boolean as deutsch
from {{ source('katalog', 'kpi_terme') }}
