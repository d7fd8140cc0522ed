{#- Generated from sources/contracts/ by `stichtag dbt-sources` (warehouse/dbt_sources.py): do not edit; change the contract and regenerate. tests/test_dbt_sources.py fails when the two differ. -#}
{#- The official tables of each reader format, so a model reads every one as a source of its own
    (one raw asset each in the asset graph). -#}
{% macro amtlich_tabellen(format) -%}
    {{- return({"ba_xlsx": ["ba_arbeitslose_gemeinden", "ba_beschaeftigte_gemeinden", "ba_sgb2_laender"], "genesis_ffcsv": ["genesis_11111_01_01_4", "genesis_12211_0101", "genesis_12411_02_03_4", "genesis_12411_03_03_4", "genesis_12411_07_01_4", "genesis_12612_01_01_4", "genesis_12613_01_01_4", "genesis_12711_01_03_4", "genesis_21111_01_03_4", "genesis_22151_01_02_4", "genesis_22311_01_02_4", "genesis_22517_01_01_4", "genesis_22523_01_01_4", "genesis_22543_0010", "genesis_22543_01_02_4", "genesis_22711_01_01_4", "genesis_22811_01_01_4", "genesis_31121_01_02_5", "genesis_31231_02_01_5"], "genesis_table": ["tabelle_12411_01_01_5"]}[format]) -}}
{%- endmacro %}
