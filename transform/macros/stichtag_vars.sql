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

{# The Datenstand is the received time of the newest delivery a build may see (UTC, whole seconds,
   resolved by warehouse/datenstand.py from the ingest log): later deliveries are invisible to it. #}
{% macro datenstand_filter(received_col) -%}
    {%- if var('datenstand') -%}
        {%- set text = var('datenstand') | string -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+]00:00', text) -%}
            {{ exceptions.raise_compiler_error("var datenstand must be a UTC timestamp YYYY-MM-DDTHH:MM:SS+00:00, got " ~ text) }}
        {%- endif -%}
        {{ received_col }} <= timestamptz '{{ text }}'
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
