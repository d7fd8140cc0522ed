-- Households at each Stichtag as municipal statistics generate them from the registry: residents
-- with one address and one family name (haushalt_pseudonym). An approximation: a couple with two
-- names counts twice, flat-sharers with one name once; see the README's caveats.
-- A running sum per Gemeinde of the changes up to the end of each Stichtag (int_haushaltsaenderungen):
-- joining each household state to each Stichtag it covers made a row per household and Stichtag
-- (25 M for 132 month ends).
with aenderungen as (
    select * from {{ ref('int_haushaltsaenderungen') }}
),

gemeinden as (
    select distinct gemeinde_ags from aenderungen
),

-- each Stichtag once per Gemeinde, sorted after the changes of its own day
zeitlinie as (
    select
        gemeinde_ags,
        tag,
        false as ist_stichtag,
        haushalte,
        haushalte_1p,
        haushalte_mit_kindern,
        haushalte_alleinerziehend
    from aenderungen
    union all
    select
        g.gemeinde_ags,
        s.stichtag,
        true,
        0,
        0,
        0,
        0
    from {{ ref('int_stichtage') }} as s
    cross join gemeinden as g
),

stand as (
    select
        gemeinde_ags,
        tag,
        ist_stichtag,
        sum(haushalte) over bis_hier as haushalte,
        sum(haushalte_1p) over bis_hier as haushalte_1p,
        sum(haushalte_mit_kindern) over bis_hier as haushalte_mit_kindern,
        sum(haushalte_alleinerziehend) over bis_hier as haushalte_alleinerziehend
    from zeitlinie
    window bis_hier as (partition by gemeinde_ags order by tag, ist_stichtag rows unbounded preceding)
)

select
    tag as stichtag,
    gemeinde_ags,
    haushalte::bigint as haushalte,
    haushalte_1p::bigint as haushalte_1p,
    haushalte_mit_kindern::bigint as haushalte_mit_kindern,
    haushalte_alleinerziehend::bigint as haushalte_alleinerziehend
from stand
where ist_stichtag and haushalte > 0
