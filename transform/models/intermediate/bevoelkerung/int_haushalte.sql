-- Households at each Stichtag as municipal statistics generate them from the registry: residents
-- with one address and one family name (haushalt_pseudonym). An approximation: a couple with two
-- names counts twice, flat-sharers with one name once; see the README's caveats.
select
    s.stichtag,
    h.gemeinde_ags,
    count(*) as haushalte,
    count(*) filter (where h.personen = 1) as haushalte_1p,
    count(*) filter (where h.mit_kindern) as haushalte_mit_kindern,
    count(*) filter (where h.mit_kindern and h.erwachsene = 1) as haushalte_alleinerziehend
from {{ ref('int_stichtage') }} as s
join {{ ref('int_haushaltszustaende') }} as h
    on h.gueltig_ab <= s.stichtag and s.stichtag < h.gueltig_bis
group by all
