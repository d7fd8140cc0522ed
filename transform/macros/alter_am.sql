{# Age in completed years on `tag` from birth year and month (the day never reaches the lake).
   Convention: in the birth month the birthday counts as reached from the 16th, so ages are exact at
   every month end (the usual Stichtag) and unbiased in between. Never negative. #}
{% macro alter_am(tag, geburtsjahr='geburtsjahr', geburtsmonat='geburtsmonat') -%}
    greatest(0, year({{ tag }}) - {{ geburtsjahr }}
        - case when month({{ tag }}) < {{ geburtsmonat }}
                 or (month({{ tag }}) = {{ geburtsmonat }} and day({{ tag }}) < 16) then 1 else 0 end)
{%- endmacro %}
