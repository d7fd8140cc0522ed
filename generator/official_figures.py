"""Anchor figures of the official statistics for Schleswig-Holstein (SH) and Germany (DE), vendored from
../shared/domain/comparison-values.md (sources named there: Regionaldatenbank Deutschland, GENESIS-Online,
© Statistische Ämter des Bundes und der Länder, Datenlizenz Deutschland – Namensnennung – 2.0; Statistik der
Bundesagentur für Arbeit). The generator interpolates between the anchor years; only these anchors are real.
"""

from __future__ import annotations

# population on 31.12. (persons) and share male
POPULATION = {
    "01": {2014: 2_830_864, 2015: 2_858_714, 2022: 2_953_270, 2024: 2_959_517},
    "DG": {2014: 81_197_537, 2015: 82_175_684, 2022: 84_358_845, 2024: 83_577_140},
}
MALE_SHARE = {"01": 0.4895, "DG": 0.4930}
# age structure on 31.12. (shares of the population): 2015 verified, 2023 SH verified, DE extrapolated
SHARE_U18 = {"01": {2015: 0.163, 2023: 0.165}, "DG": {2015: 0.162, 2023: 0.165}}
SHARE_65PLUS = {"01": {2015: 0.226, 2023: 0.236}, "DG": {2015: 0.211, 2023: 0.222}}
SHARE_80PLUS = {"01": {2015: 0.0574, 2023: 0.0700}, "DG": {2015: 0.0575, 2023: 0.0720}}
SHARE_U20 = {"01": {2015: 0.182, 2023: 0.184}, "DG": {2015: 0.182, 2023: 0.184}}
# births and deaths per 1,000 (2015 and 2022 computed from verified counts)
BIRTHS_PER_1000 = {"01": {2015: 8.3, 2022: 8.1}, "DG": {2015: 9.0, 2022: 8.8}}
DEATHS_PER_1000 = {"01": {2015: 11.8, 2022: 13.8}, "DG": {2015: 11.3, 2022: 12.7}}
# moves over the region's border per 1,000 (2015 verified counts: SH 247,179 in / 209,835 out)
IN_PER_1000 = {"01": {2015: 86.6, 2022: 90.0}, "DG": {2015: 78.2, 2022: 80.0}}
OUT_PER_1000 = {"01": {2015: 73.5, 2022: 73.5}, "DG": {2015: 64.3, 2022: 62.7}}
# Betreuungsquote on 1 March (U3; 3 to under 6)
CARE_U3 = {"01": {2015: 0.314, 2018: 0.337, 2020: 0.35, 2023: 0.383}, "DG": {2015: 0.329, 2018: 0.336, 2023: 0.364}}
CARE_3TO6 = {"01": {2016: 0.927, 2023: 0.92}, "DG": {2016: 0.936, 2023: 0.91}}
# Arbeitslosenquote (all civilian labour force), annual / December
UNEMPLOYMENT_RATE = {"01": {2014: 6.8, 2015: 6.5, 2016: 6.3, 2022: 5.3, 2023: 5.6, 2024: 5.8},
                     "DG": {2014: 6.7, 2015: 6.4, 2016: 6.1, 2022: 5.3, 2023: 5.7, 2024: 6.0}}
# Schwerbehinderte (GdB ≥ 50) per resident, survey every two years (SH 2019 9.3 %, 2021 9.0 %; DE ≈ 9.4 %;
# the Kreis 7.3 % is carried, not verified)
SEVERELY_DISABLED = {"01": {2019: 0.093, 2021: 0.090}, "DG": {2019: 0.094, 2021: 0.094}, "01056": {2019: 0.073}}
# not calibrated (no verified figure at hand): plausible shares of school leavers
LEAVERS_WITHOUT = {"01": 0.085, "DG": 0.065, "01056": 0.07}
LEAVERS_ABITUR = {"01": 0.34, "DG": 0.35, "01056": 0.37}
# not calibrated either (orders of magnitude of Destatis press releases, rounded): living space per resident
# (m², 31.12.), completed dwellings per 1,000 residents, employment rate (SvB at the place of residence per
# resident 15-64, 30.06.) and SvB at the place of work per SvB living there
LIVING_SPACE_M2 = {"01": {2015: 45.9, 2022: 47.6}, "DG": {2015: 46.5, 2022: 47.7}, "01056": {2015: 44.8, 2022: 46.4}}
DWELLINGS_PER_1000 = {"01": {2015: 3.8, 2020: 4.5, 2022: 4.3, 2024: 3.1}, "DG": {2015: 3.0, 2020: 3.7, 2022: 3.5,
                                                                                  2024: 2.8},
                      "01056": {2015: 3.4, 2020: 4.0, 2022: 3.9, 2024: 2.9}}
EMPLOYMENT_RATE = {"01": {2015: 0.555, 2022: 0.612}, "DG": {2015: 0.561, 2022: 0.619},
                   "01056": {2015: 0.572, 2022: 0.628}}
WORKPLACES_PER_RESIDENT_SVB = {"01": 0.93, "DG": 1.0, "01056": 0.74}


def at(series: dict[int, float], year: int) -> float:
    """Linear interpolation between anchor years, constant beyond them."""
    years = sorted(series)
    if year <= years[0]:
        return series[years[0]]
    if year >= years[-1]:
        return series[years[-1]]
    lo = max(y for y in years if y <= year)
    hi = min(y for y in years if y >= year)
    if lo == hi:
        return series[lo]
    return series[lo] + (series[hi] - series[lo]) * (year - lo) / (hi - lo)
