select
    ags as gemeinde_ags,
    name as gemeinde_name,
    nullif(amt_ars, '') as amt_ars,
    case when nullif(amt_ars, '') is null then null else amt_name end as amt_name,
    kreis_ags,
    kreis_name,
    left(kreis_ags, 2) as land_ags,
    area_km2::double as flaeche_km2,
    population_total::integer as einwohner_referenz_2022
from {{ source('referenz', 'gemeinden') }}
