select
    kpi_id::varchar as kpi_id,
    name::varchar as kpi_name,
    handlungsfeld::varchar as handlungsfeld,
    einheit::varchar as einheit,
    skala::double as skala,
    hat_nenner::boolean as hat_nenner,
    min_cell::integer as min_cell
from {{ source('katalog', 'kpis') }}
