{#- The registry models incremental by person: a full build computes every person; an incremental one
    deletes the rows of the persons this build changed (int_personenstaende) in its pre-hook and computes
    only them again. `nur_geaenderte_personen` is the filter of a person's rows: `true` in a full build. -#}
{% macro nur_geaenderte_personen(column) -%}
    {%- if is_incremental() -%}
        hash({{ column }}) in (
            select person_hash from {{ ref('int_personenstaende') }} where geaendert_in = '{{ invocation_id }}'
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro personen_geaendert_loeschen() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ nur_geaenderte_personen('person_pseudonym') }}
    {%- endif -%}
{%- endmacro %}
