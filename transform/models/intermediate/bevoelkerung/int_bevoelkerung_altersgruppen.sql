-- The population cube in the age groups of the KPI catalogue (int_altersgruppen): what int_messwerte draws
-- the population measures from. Summed here, once, from 2.1 M single-age rows to 0.34 M for a series of 132
-- month ends, the KPI terms' match (int_kpi_summen) no longer walks every single age (2.7 → 1.7 s, measured:
-- BENCHMARKS.md); the groups' counts and age sums are exact, so every KPI is the same to the bit.
select
    b.tag,
    b.gemeinde_ags,
    g.alter_von as alter,
    g.alter_bis,
    b.geschlecht,
    b.deutsch,
    sum(b.anzahl)::bigint as anzahl,
    sum(b.anzahl * b.alter)::bigint as summe_alter,
    sum(b.anzahl_einwanderungsgeschichte)::bigint as anzahl_einwanderungsgeschichte,
    sum(b.anzahl_wohndauer_5j)::bigint as anzahl_wohndauer_5j
from {{ ref('int_bevoelkerung') }} as b
{{ altersgruppe_join('b.alter', ref('int_altersgruppen'), 'g') }}
group by all
