-- Households at each Stichtag as municipal statistics generate them from the registry: residents
-- with one address and one family name (haushalt_pseudonym). An approximation: a couple with two
-- names counts twice, flat-sharers with one name once; see the README's caveats.
select
    s.stichtag,
    wz.gemeinde_ags,
    wz.haushalt_pseudonym,
    count(*) as personen,
    count(*) filter (where {{ alter_am('s.stichtag', 'wz.geburtsjahr', 'wz.geburtsmonat') }} >= 18) as erwachsene,
    bool_or({{ alter_am('s.stichtag', 'wz.geburtsjahr', 'wz.geburtsmonat') }} < 18) as mit_kindern
from {{ ref('int_stichtage') }} as s
join {{ ref('int_wohnzeitraeume') }} as wz
    on wz.gueltig_ab <= s.stichtag and s.stichtag < wz.gueltig_bis
group by all
