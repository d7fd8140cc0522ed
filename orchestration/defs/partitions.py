"""The Stichtag as a daily partition: partition D builds the figures at the end of day D.

Declared once here and imported everywhere. end_offset=1 includes today ("tagesaktuell").
"""

import dagster as dg

from stichtag.window import FIRST_STICHTAG

START_DATE = FIRST_STICHTAG.isoformat()  # the day after the registry's opening Bestand

STICHTAG_PARTITIONS = dg.DailyPartitionsDefinition(start_date=START_DATE, timezone="UTC", end_offset=1,
                                                   fmt="%Y-%m-%d")
