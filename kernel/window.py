"""Which Stichtage can be built: from the first day after the registry's opening Bestand up to the
Datenstand. A later Stichtag would be a state nobody has reported yet: a forecast, not an evaluation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

BESTAND_DATE = dt.date(2014, 12, 31)  # the registry's opening extract (EWO_BESTAND_20141231)
FIRST_STICHTAG = BESTAND_DATE + dt.timedelta(days=1)
RASTER = ("taeglich", "monatsende", "jahresende")


def parse_date(text: str, what: str = "Datum") -> dt.date:
    """Strict YYYY-MM-DD: `2024-02-30`, `2024-1-1` or anything with trailing text is refused."""
    try:
        value = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {text!r} ist kein gültiges Datum im Format JJJJ-MM-TT") from None
    if value.isoformat() != text:
        raise ValueError(f"{what} {text!r} ist kein gültiges Datum im Format JJJJ-MM-TT")
    return value


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


@dataclass(frozen=True)
class StichtagWindow:
    """Stichtage [first, last] on a raster (taeglich | monatsende | jahresende), `last` always among them,
    as of a Datenstand (None: everything delivered)."""

    first: dt.date
    last: dt.date
    raster: str = "taeglich"
    datenstand: dt.date | None = None

    @property
    def end(self) -> dt.date:
        """The exclusive end: the models filter half-open, [first, end)."""
        return self.last + dt.timedelta(days=1)

    def stichtage(self) -> list[dt.date]:
        """The Stichtage of the window, as int_stichtage selects them."""
        days = [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]
        return [d for d in days if d == self.last or on_raster(d, self.raster)]

    def as_config(self) -> dict[str, str]:
        return {"von": self.first.isoformat(), "bis": self.last.isoformat(), "raster": self.raster,
                "datenstand": self.datenstand.isoformat() if self.datenstand else ""}

    def __str__(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first} … {self.last}"
        return f"{span} ({self.raster}{', Datenstand ' + str(self.datenstand) if self.datenstand else ''})"


def on_raster(day: dt.date, raster: str) -> bool:
    if raster == "monatsende":
        return (day + dt.timedelta(days=1)).day == 1
    if raster == "jahresende":
        return (day.month, day.day) == (12, 31)
    return True


def years_earlier(day: dt.date, years: int) -> dt.date:
    """The same day `years` before, 29 February → 28 February (as DuckDB's `- interval n year`)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
