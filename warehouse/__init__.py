"""Building the warehouse: what a dbt build sees (the Datenstand, the build info), its vars and environment,
the model lineage read from the SQL, and which models a build can keep from the last one."""
