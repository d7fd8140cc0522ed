{# The run's window (Stichtage and Datenstand) is a file the build writes before dbt starts
   (lake/warehouse/fenster.json, validated and typed by warehouse/dbt.py): dbt re-parses the whole project
   whenever --vars change, about 3.5 s a run. --vars still override it (a build by hand, a unit test): the
   Stichtage together (min_date, max_date, raster), the Datenstand on its own - what is not given comes from
   the last run's file. Vars are validated here and only ever reach SQL as literals: no string from outside
   is spliced into a query. The Datenstand is no part of the window: models that only filter by it stay
   reusable across windows (warehouse/lineage.py). Its path is relative to the lake (file_search_path,
   profiles.yml). #}

{% macro _fenster(spalte) -%}
    (select {{ spalte }} from read_json('warehouse/fenster.json',
        columns = {min_date: 'DATE', max_date: 'DATE', raster: 'VARCHAR', datenstand: 'TIMESTAMPTZ'}))
{%- endmacro %}

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
    {%- else -%}{{ _fenster('min_date') }}{%- endif -%}
{%- endmacro %}

{% macro max_date() -%}
    {%- if var('max_date') -%}{{ _iso_date(var('max_date'), 'max_date') }}
    {%- elif var('min_date') -%}({{ min_date() }} + interval 1 day)::date
    {%- else -%}{{ _fenster('max_date') }}{%- endif -%}
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
        {{ received_col }} <= coalesce({{ _fenster('datenstand') }}, 'infinity'::timestamptz)
    {%- endif -%}
{%- endmacro %}

{% macro raster() -%}
    {%- if not var('min_date') -%}{{ _fenster('raster') }}{%- else -%}
    {%- set r = var('raster') -%}
    {%- if r not in ['taeglich', 'monatsende', 'jahresende'] -%}
        {{ exceptions.raise_compiler_error("var raster must be taeglich, monatsende or jahresende, got " ~ r) }}
    {%- endif -%}
    '{{ r }}'
    {%- endif -%}
{%- endmacro %}
