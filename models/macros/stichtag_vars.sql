{# Stichtag and Datenstand arrive as vars (from Dagster or the CLI). They are validated here, in one
   place, and only ever reach SQL as date literals: no string from outside is spliced into a query. #}

{% macro _iso_date(value, name) -%}
    {%- set text = value | string -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a date YYYY-MM-DD, got " ~ text) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') -%}
    date '{{ parsed.strftime('%Y-%m-%d') }}'
{%- endmacro %}

{% macro min_date() -%}
    {%- if var('min_date') -%}{{ _iso_date(var('min_date'), 'min_date') }}
    {%- else -%}current_date{%- endif -%}
{%- endmacro %}

{% macro max_date() -%}
    {%- if var('max_date') -%}{{ _iso_date(var('max_date'), 'max_date') }}
    {%- else -%}({{ min_date() }} + interval 1 day)::date{%- endif -%}
{%- endmacro %}

{# Deliveries received after the end of the Datenstand day are invisible to this build. #}
{% macro datenstand_filter(received_col) -%}
    {%- if var('datenstand') -%}
        {{ received_col }} < ({{ _iso_date(var('datenstand'), 'datenstand') }} + interval 1 day)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro raster() -%}
    {%- set r = var('raster') -%}
    {%- if r not in ['taeglich', 'monatsende', 'jahresende'] -%}
        {{ exceptions.raise_compiler_error("var raster must be taeglich, monatsende or jahresende, got " ~ r) }}
    {%- endif -%}
    '{{ r }}'
{%- endmacro %}
