-- Residents at the end of each Stichtag and of the day one year earlier, by Gemeinde, age, sex and
-- citizenship: the population cube every population measure is drawn from.
with bezugstage as (
    select stichtag as tag from {{ ref('int_stichtage') }}
    union
    select vorjahrestag from {{ ref('int_stichtage') }}
    union
    select vor5jahrestag from {{ ref('int_stichtage') }}
)

select
    bezugstage.tag,
    wz.gemeinde_ags,
    {{ alter_am('bezugstage.tag', 'wz.geburtsjahr', 'wz.geburtsmonat') }} as alter,
    wz.geschlecht,
    wz.deutsch,
    count(*) as anzahl
from bezugstage
join {{ ref('int_wohnzeitraeume') }} as wz
    on wz.gueltig_ab <= bezugstage.tag and bezugstage.tag < wz.gueltig_bis
group by all
