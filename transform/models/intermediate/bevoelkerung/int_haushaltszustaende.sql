-- Each registry household's composition over time (residents, adults), as intervals: the household
-- count of any Stichtag is then a range query over one row per household, not a grouping of every
-- resident per Stichtag (that grouping held 26 million rows for 132 month ends, and ran out of memory
-- at Land scale). A resident is an adult from the day `alter_am` counts 18 years: the 16th of the
-- birth month, 18 years on.
-- At Land scale the households are built in parts (by a hash of the household), one statement each,
-- so that no statement holds more than a part of the interval edges: in one statement they ran out of
-- DuckDB's memory limit. A household is always wholly in one part; the result is the same set of rows.
-- The SQL is held in a Jinja block and rendered twice (model, post-hooks): sqlfluff cannot place its
-- indentation, so that one rule is off for this file:
-- noqa: disable=LT02
{%- set teile = env_var('STICHTAG_HAUSHALT_TEILE', '8' if env_var('STICHTAG_SCALE', 'kreis') == 'land' else '1')
    | int %}
{#- the parts' SQL names its input by placeholder: a hook is rendered when it runs, the model now -#}
{%- set teil_sql %}
with wohnzeitraeume as (
    select
        gemeinde_ags,
        haushalt_pseudonym,
        gueltig_ab,
        gueltig_bis,
        make_date(geburtsjahr + 18, geburtsmonat, 16) as volljaehrig_ab
    from __QUELLE__
    {%- if teile > 1 %}
    where hash(haushalt_pseudonym) % {{ teile }} = __TEIL__
    {%- endif %}
),

abschnitte as (
    select
        gemeinde_ags,
        haushalt_pseudonym,
        gueltig_ab as von,
        least(gueltig_bis, volljaehrig_ab) as bis,
        0 as erwachsen
    from wohnzeitraeume
    where gueltig_ab < volljaehrig_ab
    union all
    select
        gemeinde_ags,
        haushalt_pseudonym,
        greatest(gueltig_ab, volljaehrig_ab),
        gueltig_bis,
        1
    from wohnzeitraeume
    where volljaehrig_ab < gueltig_bis
),

aenderungen as (
    select
        gemeinde_ags,
        haushalt_pseudonym,
        tag,
        sum(personen) as personen,
        sum(erwachsene) as erwachsene
    from (
        select
            gemeinde_ags,
            haushalt_pseudonym,
            von as tag,
            1 as personen,
            erwachsen as erwachsene
        from abschnitte
        union all
        select
            gemeinde_ags,
            haushalt_pseudonym,
            bis,
            -1,
            -erwachsen
        from abschnitte
    ) as kanten
    group by all
),

zustaende as (
    select
        gemeinde_ags,
        haushalt_pseudonym,
        tag as gueltig_ab,
        lead(tag) over zeitlinie as gueltig_bis,
        sum(personen) over (zeitlinie rows unbounded preceding) as personen,
        sum(erwachsene) over (zeitlinie rows unbounded preceding) as erwachsene
    from aenderungen
    window zeitlinie as (partition by gemeinde_ags, haushalt_pseudonym order by tag)
)

select
    gemeinde_ags,
    haushalt_pseudonym,
    gueltig_ab,
    gueltig_bis,
    personen::integer as personen,
    erwachsene::integer as erwachsene,
    personen > erwachsene as mit_kindern
from zustaende
where personen > 0
{%- endset %}
{%- set weitere = [] %}
{%- for teil in range(1, teile) %}
    {%- do weitere.append("insert into {{ this }} " ~ teil_sql.replace('__TEIL__', teil | string)
                                                        .replace('__QUELLE__', "{{ ref('int_wohnzeitraeume') }}")) %}
{%- endfor %}
{{ config(post_hook=weitere) }}
{{ teil_sql.replace('__TEIL__', '0').replace('__QUELLE__', ref('int_wohnzeitraeume') | string) }}
