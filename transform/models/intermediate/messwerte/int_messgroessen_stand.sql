-- Per Stichtag, the measures whose figures are provisional, whatever their value: a Gemeinde without a
-- single case has a provisional 0, not a final one. Which sources have provisional figures is the
-- catalogue's (`provisional`); when, their model's: SGB II figures of a Berichtsmonat less than three
-- months old are revised by later deliveries (int_sgb2_personen.vorlaeufig).
with sgb2_stand as (
    select
        stichtag,
        bool_or(vorlaeufig) as vorlaeufig
    from {{ ref('int_sgb2_personen') }}
    group by stichtag
)

select
    s.stichtag,
    m.messgroesse,
    'vorlaeufig' as status
from sgb2_stand as s
cross join {{ ref('stg_katalog__messgroessen') }} as m
where s.vorlaeufig and m.vorlaeufig_moeglich and m.quelle = 'jobcenter'
