-- The areas KPIs are published for: Gemeinden, Ämter (Gemeindeverbände), Kreise and, at Land
-- scale (STICHTAG_SCALE=land), the Land.
with gemeinden as (
    select * from {{ ref('stg_referenz__gemeinden') }}
),

kreise as (
    select
        kreis_ags,
        any_value(kreis_name) as kreis_name,
        -- a kreisfreie Stadt is a Kreis of one Gemeinde with the Kreis's own key
        count(*) = 1 and any_value(gemeinde_ags) = any_value(kreis_ags) || '000' as kreisfrei,
        any_value(land_ags) as land_ags
    from gemeinden
    group by kreis_ags
)

select
    gemeinde_ags as gebiet_id,
    gemeinde_name as gebiet_name,
    'gemeinde' as gebiet_ebene,
    coalesce(amt_ars, kreis_ags) as uebergeordnet_id
from gemeinden
union all
select distinct
    amt_ars,
    'Amt ' || amt_name,
    'amt',
    kreis_ags
from gemeinden
where amt_ars is not null
union all
select
    kreis_ags,
    case when kreisfrei then kreis_name else 'Kreis ' || kreis_name end,
    'kreis',
    land_ags
from kreise
{% if env_var('STICHTAG_SCALE', 'kreis') == 'land' %}
union all
select distinct land_ags, 'Schleswig-Holstein', 'land', null
from gemeinden
{% endif %}
