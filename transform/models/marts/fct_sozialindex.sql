-- Social index per Gemeinde and Stichtag in the style of Hamburg's Sozialmonitoring: the status index is the
-- weighted mean of the indicators' z-scores across the Kreis's Gemeinden (higher = more disadvantage), the
-- dynamics index the same for each indicator's change over `dynamik_jahre` (needs that earlier Stichtag in
-- the same build, e.g. the yearly series; otherwise NULL). Indicators whose value is not published for a
-- Gemeinde (status geheim, …) are left out of its mean; `indikatoren` says how many were used.
with parameter as (
    select * from {{ ref('stg_katalog__sozialindex') }}
),

werte as (
    select
        k.kpi_id,
        k.gebiet_id,
        k.gebiet_name,
        k.stichtag,
        k.value,
        p.gewicht,
        p.dynamik_jahre
    from {{ ref('fct_kpi_werte') }} as k
    join parameter as p using (kpi_id)
    where k.gebiet_ebene = 'gemeinde' and k.value is not null
),

status as (
    select
        *,
        (value - avg(value) over kreis) / nullif(stddev_samp(value) over kreis, 0) as z
    from werte
    window kreis as (partition by kpi_id, stichtag)
),

veraenderung as (
    select
        jetzt.kpi_id,
        jetzt.gebiet_id,
        jetzt.stichtag,
        jetzt.gewicht,
        jetzt.value - vorher.value as delta
    from werte as jetzt
    join werte as vorher
        on vorher.kpi_id = jetzt.kpi_id and vorher.gebiet_id = jetzt.gebiet_id
            and vorher.stichtag = (jetzt.stichtag - to_years(jetzt.dynamik_jahre))::date
),

dynamik as (
    select
        *,
        (delta - avg(delta) over kreis) / nullif(stddev_samp(delta) over kreis, 0) as z
    from veraenderung
    window kreis as (partition by kpi_id, stichtag)
),

indizes as (
    select
        s.stichtag,
        s.gebiet_id,
        any_value(s.gebiet_name) as gebiet_name,
        sum(s.gewicht * s.z) / sum(s.gewicht) filter (where s.z is not null) as statusindex,
        count(s.z) as indikatoren,
        (
            select sum(d.gewicht * d.z) / sum(d.gewicht) from dynamik as d
            where d.stichtag = s.stichtag and d.gebiet_id = s.gebiet_id and d.z is not null
        ) as dynamikindex
    from status as s
    group by s.stichtag, s.gebiet_id
),

grenzen as (
    select
        any_value(status_hoch) as status_hoch,
        any_value(status_mittel) as status_mittel,
        any_value(status_niedrig) as status_niedrig,
        any_value(dynamik_positiv) as dynamik_positiv,
        any_value(dynamik_stabil) as dynamik_stabil
    from parameter
)

select
    i.stichtag,
    i.gebiet_id,
    i.gebiet_name,
    -- rounded: window means over a partition may add in any order, the published bytes must not change
    round(i.statusindex, 6) as statusindex,
    case
        when i.statusindex is null then null
        when i.statusindex <= g.status_hoch then 'hoch'
        when i.statusindex <= g.status_mittel then 'mittel'
        when i.statusindex <= g.status_niedrig then 'niedrig'
        else 'sehr niedrig'
    end as status,
    round(i.dynamikindex, 6) as dynamikindex,
    case
        when i.dynamikindex is null then null
        when i.dynamikindex <= g.dynamik_positiv then 'positiv'
        when i.dynamikindex <= g.dynamik_stabil then 'stabil'
        else 'negativ'
    end as dynamik,
    i.indikatoren
from indizes as i
cross join grenzen as g
order by i.stichtag, i.gebiet_id
