-- Which published areas each Gemeinde counts towards: itself, its Amt (if any), its Kreis and, at
-- Land scale, the Land. Higher levels are recomputed from summed numerators and denominators.
with gemeinden as (
    select * from {{ ref('stg_referenz__gemeinden') }}
)

select
    gemeinde_ags,
    gemeinde_ags as gebiet_id
from gemeinden
union all
select
    gemeinde_ags,
    amt_ars
from gemeinden
where amt_ars is not null
union all
select
    gemeinde_ags,
    kreis_ags
from gemeinden
{% if env_var('STICHTAG_SCALE', 'kreis') == 'land' %}
union all
select gemeinde_ags, land_ags from gemeinden
{% endif %}
