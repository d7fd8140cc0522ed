"""What the dbt project reads from the environment: the lake (only its profile does) and the region."""

from __future__ import annotations

from kernel.reference import region
from kernel.settings import REFERENCE_DIR

# The lake the project's own parse (transform/target, the asset graph's manifest) is made for: the profile's
# default. Every build's parse starts from it, re-keyed to the build's lake (warehouse/partial_parse.py).
SEED_LAKE = "../lake"


def dbt_env(lake: str) -> dict[str, str]:
    """The variables of transform/ for a build of `lake` (the same region for every lake)."""
    current = region()
    return {"STICHTAG_LAKE": lake, "STICHTAG_SCALE": current.scale,
            "STICHTAG_REFERENZ_GEMEINDEN": str(current.file), "STICHTAG_REFERENZ_DIR": str(REFERENCE_DIR)}
