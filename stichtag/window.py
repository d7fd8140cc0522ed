"""Which Stichtage can be built: from the first day after the registry's opening Bestand up to the
Datenstand. A later Stichtag would be a state nobody has reported yet: a forecast, not an evaluation."""

from __future__ import annotations

import datetime as dt

BESTAND_DATE = dt.date(2014, 12, 31)  # the registry's opening extract (EWO_BESTAND_20141231)
FIRST_STICHTAG = BESTAND_DATE + dt.timedelta(days=1)


class StichtagOutOfRange(ValueError):
    """A Stichtag or Datenstand the deliveries cannot answer."""


def check_window(first: dt.date, last: dt.date, datenstand: dt.date | None = None,
                 today: dt.date | None = None) -> None:
    """Refuse [first, last] unless every Stichtag lies between the first Stichtag and the Datenstand
    (the requested one, else today: nothing delivered can describe a day after it was delivered)."""
    today = today or dt.date.today()
    if datenstand is not None and datenstand > today:
        raise StichtagOutOfRange(f"Datenstand {datenstand} liegt in der Zukunft (heute ist {today})")
    if first < FIRST_STICHTAG:
        raise StichtagOutOfRange(
            f"Stichtag {first} liegt vor dem ersten möglichen Stichtag {FIRST_STICHTAG}: das Melderegister "
            f"beginnt mit dem Bestand zum {BESTAND_DATE}")
    limit = datenstand or today
    if last > limit:
        raise StichtagOutOfRange(
            f"Stichtag {last} liegt nach dem Datenstand {limit}"
            f"{'' if datenstand else ' (heute)'}: für einen Tag, den keine Lieferung beschreiben kann, gibt es "
            "keine Werte; eine Vorausberechnung ist ein eigenes Produkt")
