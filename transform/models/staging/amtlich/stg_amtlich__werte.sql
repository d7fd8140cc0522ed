-- Every published official value in one shape: table, reference date, region, its categories, value and
-- status. Quality marks refine the status (p provisional, r revised, () limited reliability, s estimated);
-- of a value published more than once (a later download revises it), the newest delivery counts.
-- Each official table is a source of its own (one raw asset each, sources generated from the contracts);
-- amtlich_tabellen(format) lists them, and the tables of one format are read as one union.
{% set regionen = "('DINSG', 'DLAND', 'KREISE', 'GEMEIN')" %}
with genesis as (
    select
        tabelle,
        case zeit_code when 'JAHR' then make_date(zeit::integer, 12, 31) else zeit::date end as bezugsdatum,
        case when merkmal_1 in {{ regionen }} then auspraegung_1
            when merkmal_2 in {{ regionen }} then auspraegung_2
            when merkmal_3 in {{ regionen }} then auspraegung_3
        end as region_code,
        merkmal_1,
        coalesce(auspraegung_1, '') as auspraegung_1,
        merkmal_2,
        coalesce(auspraegung_2, '') as auspraegung_2,
        merkmal_3,
        coalesce(auspraegung_3, '') as auspraegung_3,
        wertmerkmal,
        null::varchar as merkmal,
        wert,
        case
            when wert_status <> 'ok' then wert_status
            when qualitaet = 'p' then 'vorlaeufig'
            when qualitaet = 'r' then 'berichtigt'
            when qualitaet = 's' then 'geschaetzt'
            when qualitaet = '()' then 'eingeschraenkt'
            else 'ok'
        end as status,
        received_at
    from (
        {%- for tabelle in amtlich_tabellen('genesis_ffcsv') %}
            select
                '{{ tabelle }}' as tabelle,
                *
            from {{ source('amtlich', tabelle) }}
            {%- if not loop.last %} union all by name{% endif %}
        {%- endfor %}
    )
    where {{ datenstand_filter('received_at') }}
),

downloads as (
    select
        tabelle,
        zeit as bezugsdatum,
        case region_code when 'D' then 'DG' else region_code end as region_code,
        null::varchar as merkmal_1,
        '' as auspraegung_1,
        null::varchar as merkmal_2,
        '' as auspraegung_2,
        null::varchar as merkmal_3,
        '' as auspraegung_3,
        null::varchar as wertmerkmal,
        merkmal,
        wert,
        wert_status as status,
        received_at
    from (
        {%- for tabelle in amtlich_tabellen('genesis_table') %}
            select
                '{{ tabelle }}' as tabelle,
                *
            from {{ source('amtlich', tabelle) }}
            {%- if not loop.last %} union all by name{% endif %}
        {%- endfor %}
    )
    where {{ datenstand_filter('received_at') }}
    union all
    select
        tabelle,
        zeit,
        case region_code when 'D' then 'DG' else region_code end,
        null,
        '',
        null,
        '',
        null,
        '',
        null,
        merkmal,
        wert,
        wert_status,
        received_at
    from (
        {%- for tabelle in amtlich_tabellen('ba_xlsx') %}
            select
                '{{ tabelle }}' as tabelle,
                *
            from {{ source('amtlich', tabelle) }}
            {%- if not loop.last %} union all by name{% endif %}
        {%- endfor %}
    )
    where {{ datenstand_filter('received_at') }}
),

alle as (
    select * from genesis
    union all
    select * from downloads
)

select * exclude (neueste_zuerst)
from (
    select
        *,
        row_number() over (
            partition by
                tabelle, bezugsdatum, region_code, merkmal_1, auspraegung_1, merkmal_2, auspraegung_2,
                merkmal_3, auspraegung_3, wertmerkmal, merkmal
            order by received_at desc
        ) as neueste_zuerst
    from alle
) as geordnet
where neueste_zuerst = 1 and region_code is not null
