"""Publication: immutable versions per Stichtag and Datenstand with their quality checks, the export for
apps, the public zone with disclosure control, the KPI docs, the PII scan. Its schema constants are in
`schema.py`, so publish and checks do not import each other."""
