-- The age groups KPI terms are matched on: each age at which a term of the catalogue begins, or after which
-- one ends, starts a group, so every term covers whole groups and a sum over a term's groups is its sum
-- over single ages. Measures counted by single age are summed to these groups before the terms are matched
-- (int_bevoelkerung_altersgruppen, int_messwerte): a term then matches a dozen groups, not a hundred ages.
-- The last group is open: every age from its first on (callers look an age up as least(age, last age)).
with grenzen as (
    select alter_von as grenze from {{ ref('stg_katalog__kpi_terme') }}
    where alter_von is not null
    union
    select alter_bis + 1 from {{ ref('stg_katalog__kpi_terme') }}
    where alter_bis is not null
    union
    select 0
)

select
    einzeln.alter,
    max(g.grenze) filter (where g.grenze <= einzeln.alter) as alter_von,
    min(g.grenze) filter (where g.grenze > einzeln.alter) - 1 as alter_bis
from range(0, (select max(grenze) + 1 from grenzen)) as einzeln (alter)
cross join grenzen as g
group by einzeln.alter
