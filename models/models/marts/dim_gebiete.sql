-- The areas KPIs are published for: Gemeinden, Ämter (Gemeindeverbände) and the Kreis.
with gemeinden as (
    select * from {{ ref('stg_referenz__gemeinden') }}
)

select gemeinde_ags as gebiet_id, gemeinde_name as gebiet_name, 'gemeinde' as gebiet_ebene,
       coalesce(amt_ars, kreis_ags) as uebergeordnet_id
from gemeinden
union all
select distinct amt_ars, 'Amt ' || amt_name, 'amt', kreis_ags
from gemeinden where amt_ars is not null
union all
select distinct kreis_ags, '{{ var("kreis_name", "Kreis Pinneberg") }}', 'kreis', left(kreis_ags, 2)
from gemeinden
