"""The export's schema, in one place for everything that writes or checks it (publish, quality, public zone,
report): the columns of `kpi_values.parquet` in their documented order (README#export-kpi_values; the
enforced dbt contract of fct_kpi_werte holds their types) and the order of the area levels in a file."""

EXPORT_COLUMNS = ("kpi_id", "gebiet_id", "gebiet_name", "gebiet_ebene", "stichtag", "value", "numerator",
                  "denominator", "unit", "status", "bezugsdatum", "quelle")
LEVEL_ORDER = "case gebiet_ebene when 'bund' then 0 when 'land' then 1 when 'kreis' then 2 when 'amt' then 3 else 4 end"
