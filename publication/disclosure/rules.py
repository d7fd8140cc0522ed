"""Primary suppression: which cells are sensitive in themselves, by the rules the catalogue declares.

* Small counts: a protected quantity with 1 … k−1 cases in an area (k = the largest `min_cell` of the
  KPIs showing it, default from the catalogue's `disclosure` section) is hidden; zero stays zero.
* Group disclosure, for KPIs the catalogue marks `share_of_group` (the numerator counts members of the
  denominator's group, e.g. single-parent BGs among BGs with children): the numerator is hidden when its
  complement (denominator − numerator) has 1 … k−1 cases — those few are named by exclusion — and when a
  group smaller than `group_min` is 100 % (every member shares the attribute). Zero stays zero here too:
  "none of them" is what a published zero count says anyway, and hiding zeros only protects other zeros.
"""

from __future__ import annotations

from kernel.catalogue import Catalogue
from publication.disclosure.model import Release, Signature, signature


def min_cells(rel: Release, catalogue: Catalogue) -> dict[Signature, int]:
    by_id = {k.id: k for k in catalogue.kpis}
    out: dict[Signature, int] = {}
    for (sig, _), cell in rel.cells.items():
        k = max(by_id[kpi_id].min_cell for kpi_id, _ in cell.kpis)
        out[sig] = max(out.get(sig, 0), k)
    return out


def primary(rel: Release, catalogue: Catalogue) -> dict[tuple[Signature, str], str]:
    """The sensitive cells with the rule that hides each: `klein` or `gruppe`."""
    k_of = min_cells(rel, catalogue)
    group_min = int(catalogue.disclosure["group_min"])
    out: dict[tuple[Signature, str], str] = {}
    for key, cell in rel.ordered_cells:
        if cell.sig in rel.protected and 0 < cell.truth < k_of[cell.sig]:
            out[key] = "klein"
    for k in catalogue.kpis:
        if not k.share_of_group:
            continue
        num, den = signature(k.numerator), signature(k.denominator)
        for (sig, area), cell in rel.ordered_cells:
            d = rel.cells.get((den, area))
            if sig != num or d is None or (sig, area) in out:
                continue
            rest = d.truth - cell.truth
            if cell.truth > 0 and (0 < rest < k.min_cell or (rest == 0 and d.truth < group_min)):
                out[(sig, area)] = "gruppe"
    return out
