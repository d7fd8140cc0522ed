-- The floor: the same KPIs for one Stichtag in one hand-written DuckDB query over the raw Parquet,
-- with no orchestration, no dbt, no versioning. $1 = Stichtag, $2 = raw zone root.
with ereignisse as (
    select * from read_parquet($2 || '/melderegister/aenderungen/*/*.parquet')
),
gueltig as (
    select * from ereignisse
    where ereignisart <> 'Storno'
      and vorgangsnummer not in (select bezugsvorgang from ereignisse where ereignisart = 'Storno')
),
zustaende as (
    select person_pseudonym, date '2014-12-31' as ab, 0::bigint as nr, 'Bestand' as art, gemeinde_ags,
           geburtsjahr, geburtsmonat, staatsangehoerigkeit
    from read_parquet($2 || '/melderegister/bestand/*/*.parquet')
    union all
    select person_pseudonym, ereignisdatum, vorgangsnummer, ereignisart, gemeinde_ags, geburtsjahr, geburtsmonat,
           staatsangehoerigkeit
    from gueltig
),
am_tag as (
    select tag, z.*, row_number() over (partition by tag, person_pseudonym order by ab desc, nr desc) as rn
    from zustaende z, (select $1::date as tag union all select ($1::date - interval 1 year)::date) t
    where z.ab <= t.tag
),
bev as (
    select tag, gemeinde_ags, staatsangehoerigkeit,
           greatest(0, year(tag) - geburtsjahr - case when month(tag) < geburtsmonat
                or (month(tag) = geburtsmonat and day(tag) < 16) then 1 else 0 end) as alter
    from am_tag where rn = 1 and art not in ('Fortzug', 'Tod')
),
wanderung as (
    select person_pseudonym, ab, art, gemeinde_ags,
           lag(case when art not in ('Fortzug', 'Tod') then gemeinde_ags end)
               over (partition by person_pseudonym order by ab, nr) as vorher
    from zustaende
),
bewegungen as (
    select gemeinde_ags,
           count(*) filter (where art = 'Geburt') as geburten,
           count(*) filter (where art = 'Tod') as tote,
           count(*) filter (where art in ('Zuzug', 'Umzug') and gemeinde_ags is distinct from vorher) as zu
    from wanderung where ab > ($1::date - interval 1 year) and ab <= $1::date group by 1
),
fort as (
    select vorher as gemeinde_ags, count(*) as fort from wanderung
    where ab > ($1::date - interval 1 year) and ab <= $1::date and art in ('Fortzug', 'Umzug')
      and vorher is not null and vorher is distinct from case when art = 'Fortzug' then null else gemeinde_ags end
    group by 1
),
kennzahlen as (
    select gemeinde_ags,
           count(*) filter (where tag = $1) as einwohner,
           count(*) filter (where tag = $1 and alter < 18) as u18,
           count(*) filter (where tag = $1 and alter >= 65) as ue65,
           count(*) filter (where tag = $1 and alter >= 80) as ue80,
           count(*) filter (where tag = $1 and alter < 20) as u20,
           count(*) filter (where tag = $1 and alter between 20 and 64) as erwerb,
           sum(alter + 0.5) filter (where tag = $1) as alterssumme,
           count(*) filter (where tag = $1 and staatsangehoerigkeit <> '000') as auslaender,
           (count(*) filter (where tag = $1) + count(*) filter (where tag <> $1)) / 2 as mittel
    from bev group by 1
)
select k.gemeinde_ags, einwohner, 100.0 * u18 / einwohner as anteil_u18, 100.0 * ue65 / einwohner as anteil_65plus,
       100.0 * ue80 / einwohner as anteil_80plus, 100.0 * u20 / erwerb as jugendquotient,
       100.0 * ue65 / erwerb as altenquotient, alterssumme / einwohner as durchschnittsalter,
       100.0 * auslaender / einwohner as auslaenderanteil, 1000.0 * coalesce(geburten, 0) / mittel as geburtenrate,
       1000.0 * coalesce(tote, 0) / mittel as sterberate,
       1000.0 * (coalesce(zu, 0) - coalesce(fort, 0)) / mittel as wanderungssaldo
from kennzahlen k left join bewegungen using (gemeinde_ags) left join fort using (gemeinde_ags)
order by 1
