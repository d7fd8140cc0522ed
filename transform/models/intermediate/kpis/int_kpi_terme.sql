{{ config(materialized='view') }}
-- The catalogue's KPI terms per side: own areas (vergleich = false) and comparison areas (true). A term of
-- `gebiete` = 'alle' stands on both sides, 'eigene' and 'vergleich' on one. Terms of one form (measure,
-- side, ages, sex, citizenship, factor) match the same values, so int_kpi_summen matches each form once
-- (the population has 51 terms of 20 forms).
with seiten as (
    select unnest([false, true]) as vergleich
)

select
    t.kpi_id,
    t.rolle,
    t.messgroesse,
    t.faktor,
    t.alter_von,
    t.alter_bis,
    t.geschlecht,
    t.deutsch,
    s.vergleich,
    row_number() over (
        partition by
            t.kpi_id, s.vergleich order by
            t.rolle, t.messgroesse, t.alter_von, t.alter_bis, t.geschlecht,
            t.deutsch, t.faktor
    ) as term_nr,
    dense_rank() over (
        order by
            t.messgroesse, s.vergleich, t.alter_von, t.alter_bis, t.geschlecht,
            t.deutsch, t.faktor
    ) as form_nr
from {{ ref('stg_katalog__kpi_terme') }} as t
join seiten as s
    on t.gebiete = 'alle' or (t.gebiete = 'vergleich') = s.vergleich
