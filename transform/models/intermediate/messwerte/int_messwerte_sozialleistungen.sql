-- Measures of the benefit and care systems per Stichtag and Gemeinde, in the shape of int_messwerte
-- (age in completed years at the Stichtag, sex; citizenship is not delivered by these systems).
with stichtage as (
    select * from {{ ref('int_stichtage') }}
),

sgb2 as (
    select * from {{ ref('int_sgb2_personen') }}
),

sgb2_bg as (
    select
        stichtag,
        gemeinde_ags,
        bg_pseudonym,
        bool_or(alter < 18) as mit_kindern,
        bool_or(alleinerziehend) and bool_or(alter < 18) as alleinerziehend
    from sgb2
    group by all
),

sgb12 as (
    select
        s.stichtag,
        z.gemeinde_ags,
        z.leistungsart,
        {{ alter_am('s.stichtag', 'z.geburtsjahr', 'z.geburtsmonat') }} as alter,
        z.geschlecht
    from stichtage as s
    join {{ ref('int_sgb12_leistungszeitraeume') }} as z
        on z.leistungsbeginn <= s.stichtag and (z.leistungsende is null or z.leistungsende >= s.stichtag)
),

hilfen as (
    select
        s.stichtag,
        s.vorjahrestag,
        h.*,
        {{ alter_am('s.stichtag', 'h.geburtsjahr', 'h.geburtsmonat') }} as alter
    from stichtage as s
    join {{ ref('int_hilfen_aktuell') }} as h
        on h.beginn <= s.stichtag
            and (h.ende is null or h.ende >= s.stichtag or (h.paragraph = '42' and h.beginn > s.vorjahrestag))
),

kita as (
    select
        s.stichtag,
        v.*,
        {{ alter_am('s.stichtag', 'v.geburtsjahr', 'v.geburtsmonat') }} as alter
    from stichtage as s
    join {{ ref('int_kita_vertraege') }} as v
        on v.betreuungsbeginn <= s.stichtag and (v.betreuungsende is null or v.betreuungsende >= s.stichtag)
),

wohngeld as (
    select
        s.stichtag,
        b.gemeinde_ags,
        count(distinct b.haushalt_pseudonym) as haushalte
    from stichtage as s
    join {{ ref('stg_wohngeld__bescheide') }} as b
        on b.bewilligt_von <= s.stichtag and b.bewilligt_bis >= s.stichtag
    group by all
)

select
    stichtag,
    gemeinde_ags,
    'sgb2_personen' as messgroesse,
    alter,
    geschlecht,
    null::boolean as deutsch,
    count(*)::double as wert
from sgb2
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'sgb2_elb',
    alter,
    geschlecht,
    null,
    count(*)
from sgb2
where rolle = 'ELB'
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'sgb2_aufstocker',
    alter,
    geschlecht,
    null,
    count(*)
from sgb2
where rolle = 'ELB' and aufstocker
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'sgb2_bg',
    null,
    null,
    null,
    count(*)
from sgb2_bg
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'sgb2_bg_mit_kindern',
    null,
    null,
    null,
    count(*)
from sgb2_bg
where mit_kindern
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'sgb2_bg_alleinerziehend',
    null,
    null,
    null,
    count(*)
from sgb2_bg
where alleinerziehend
group by all
union all
select
    stichtag,
    gemeinde_ags,
    case leistungsart when 'GSA' then 'grundsicherung_alter' when 'GSEM' then 'grundsicherung_em'
        else 'hilfe_lebensunterhalt'
    end,
    alter,
    geschlecht,
    null,
    count(*)
from sgb12
group by all
union all
select
    stichtag,
    gemeinde_ags,
    case when paragraph = '35a' then 'eingliederungshilfe_35a'
        when paragraph in ('33', '34') then 'hze_fremdunterbringung'
        when paragraph = '41' then 'hilfe_junge_volljaehrige'
        else 'hze_ambulant'
    end,
    alter,
    geschlecht,
    null,
    count(*)
from hilfen
where paragraph <> '42' and (ende is null or ende >= stichtag)
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'inobhutnahmen_12m',
    alter,
    geschlecht,
    null,
    count(*)
from hilfen
where paragraph = '42' and beginn > vorjahrestag
group by all
union all
select
    stichtag,
    gemeinde_ags,
    case when betreuungsart = 'Hort' then 'hortbetreuung'
        when kindertagespflege then 'kindertagespflege' else 'kita_betreuung'
    end,
    alter,
    null,
    null,
    count(*)
from kita
group by all
union all
-- children in care without double counting (Kita or Tagespflege): what the official statistics count
select
    stichtag,
    gemeinde_ags,
    'kinderbetreuung',
    alter,
    null,
    null,
    count(distinct linkage_pseudonym)
from kita
where betreuungsart <> 'Hort'
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'betreuung_ganztag',
    alter,
    null,
    null,
    count(*)
from kita
where betreuungsart <> 'Hort' and wochenstunden > 35
group by all
union all
select
    stichtag,
    gemeinde_ags,
    'wohngeld_haushalte',
    null,
    null,
    null,
    haushalte
from wohngeld
