{# Joins the KPI catalogue's age groups (`altersgruppen`: ref('int_altersgruppen'), named in the model so its
   lineage shows it) as `alias` to an age in completed years: the age's group is alias.alter_von …
   alias.alter_bis (NULL: open). An age past the last group's first age is in that open group; an unknown age
   stays unknown (a left join). #}
{% macro altersgruppe_join(alter, altersgruppen, alias) -%}
left join {{ altersgruppen }} as {{ alias }}
    on {{ alias }}.alter = least({{ alter }}, (select max(letzte.alter) from {{ altersgruppen }} as letzte))
{%- endmacro %}
