select
    kpi_id::varchar as kpi_id,
    gewicht::double as gewicht,
    dynamik_jahre::integer as dynamik_jahre,
    status_hoch::double as status_hoch,
    status_mittel::double as status_mittel,
    status_niedrig::double as status_niedrig,
    dynamik_positiv::double as dynamik_positiv,
    dynamik_stabil::double as dynamik_stabil
from {{ source('katalog', 'sozialindex') }}
