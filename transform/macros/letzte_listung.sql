{# Systems that deliver a full stock each time (the Kita workbook, the SGB XII stock file) drop a closed
   case without ever sending its end. `letzte_listung` keeps each key's newest listing and when it was last
   listed; `implizites_ende` is the delivered end or, for a key the newest delivery no longer lists, the
   last day of the month before the last delivery that did. Both read the CTE `gelistet`. #}
{% macro letzte_listung(relation, key) -%}
    select
        *,
        row_number() over listung as neueste_zuerst,
        max(received_at) over listung as zuletzt_gelistet
    from {{ relation }}
    window listung as (partition by {{ key }} order by received_at desc)
{%- endmacro %}

{% macro implizites_ende(delivered_end) -%}
    coalesce(
        {{ delivered_end }},
        case when zuletzt_gelistet < (select max(alle.received_at) from gelistet as alle)
             then (date_trunc('month', zuletzt_gelistet) - interval 1 day)::date end
    )
{%- endmacro %}
