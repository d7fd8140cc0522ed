-- Per Gemeinde and day, how the count of households (and of each composition int_haushalte counts)
-- changes at the end of that day: a household state adds itself on the day it begins and takes itself
-- away on the day it ends. Independent of the Stichtag window, so a build keeps it while its inputs
-- stay the same, and int_haushalte only adds these changes up to each Stichtag.
with zustaende as (
    select
        gemeinde_ags,
        gueltig_ab,
        gueltig_bis,
        (personen = 1)::integer as ein_person,
        mit_kindern::integer as mit_kindern,
        (mit_kindern and erwachsene = 1)::integer as alleinerziehend
    from {{ ref('int_haushaltszustaende') }}
    -- a state counts where gueltig_ab <= Stichtag < gueltig_bis: never, without both days in that order
    where gueltig_ab < gueltig_bis
)

select
    gemeinde_ags,
    tag,
    sum(vorzeichen)::bigint as haushalte,
    sum(vorzeichen * ein_person)::bigint as haushalte_1p,
    sum(vorzeichen * mit_kindern)::bigint as haushalte_mit_kindern,
    sum(vorzeichen * alleinerziehend)::bigint as haushalte_alleinerziehend
from (
    select
        gemeinde_ags,
        gueltig_ab as tag,
        1 as vorzeichen,
        ein_person,
        mit_kindern,
        alleinerziehend
    from zustaende
    union all
    select
        gemeinde_ags,
        gueltig_bis,
        -1,
        ein_person,
        mit_kindern,
        alleinerziehend
    from zustaende
) as kanten
group by all
