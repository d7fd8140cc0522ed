"""The Stichtag as a daily partition: partition D builds the figures at the end of day D.

Declared once here and imported everywhere. end_offset=1 includes today ("tagesaktuell").
"""

import dagster as dg

START_DATE = "2015-01-01"  # the first Stichtag with a full 12-month window after the 2014 Bestand is 2015-12-31

STICHTAG_PARTITIONS = dg.DailyPartitionsDefinition(start_date=START_DATE, timezone="UTC", end_offset=1,
                                                   fmt="%Y-%m-%d")
