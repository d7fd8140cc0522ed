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


# ---- comparison tables of the social report (Land and Bund only; generator/official_comparison.py) ----
# SGB II, December (BA): Regelleistungsberechtigte (RLB) and persons in Bedarfsgemeinschaften 2015/2016 are
# verified counts (RDB-2017 22811-02-02-4); the SGB II-Quote (RLB / population under the Regelaltersgrenze) of
# DE Dec 2023 (8.3 %) is verified, SH 2023 is carried (not verified). BG, ELB, Sozialgeld DE Dec 2015 from the
# BA figures quoted by the city of Erlangen (ratsinfo.erlangen.de, Vorlage 50/050/2016).
SGB2_RLB = {"01": {2015: 211_892, 2016: 219_975}, "DG": {2015: 5_837_290, 2016: 5_972_889}}
SGB2_QUOTE = {"01": {2015: 9.6, 2016: 9.9, 2023: 8.9}, "DG": {2015: 9.0, 2016: 9.1, 2023: 8.3}}
SGB2_PERSONS_PER_RLB = 6_157_280 / 5_837_290
SGB2_U15_PER_RLB = {"01": 55_323 / 211_892, "DG": 1_535_783 / 5_837_290}
SGB2_BG_PER_RLB = 3_227_379 / 5_837_290
SGB2_ELB_PER_RLB = 4_300_211 / 5_837_290
# not calibrated: the age split of the other persons in BG and of the ELB, Aufstocker and BG shares
SGB2_PERSONS_AGE = {(15, 17): 0.05, (18, 24): 0.09, (25, 54): 0.46, (55, 64): 0.12}  # the rest: under 15, 65+
SGB2_ELB_AGE = {(15, 24): 0.16, (25, 54): 0.66, (55, 64): 0.18}
SGB2_AUFSTOCKER_PER_ELB = {"01": 0.25, "DG": 0.27}
SGB2_BG_WITH_CHILDREN = 0.33
SGB2_SINGLE_PARENT_OF_WITH_CHILDREN = 0.52
# Grundsicherung im Alter: quota of the population at or above the age limit (31.12.): DE/SH 2015 3.1 %
# (computed from verified counts), SH 2022 3.6 %, DE 2023 3.9 % (verified); EM and HLU not calibrated
GRUSI_ALTER_QUOTE = {"01": {2015: 3.1, 2022: 3.6}, "DG": {2015: 3.1, 2023: 3.9}}
GRUSI_EM_PER_18_64 = {"01": 0.0105, "DG": 0.0100}
HLU_PER_1000 = {"01": 1.6, "DG": 1.6}
ASYLBLG_PER_1000 = {"01": {2015: 12.0, 2016: 8.5, 2018: 5.0, 2022: 5.0}, "DG": {2015: 12.0, 2016: 9.0, 2018: 5.0,
                                                                               2022: 5.0}}  # not calibrated
# reine Wohngeldhaushalte on 31.12.: 2014/2015 verified (RDB-2017 22311-01-02-4), DE 2022 ≈ 651,800 and
# ≈ 1.2 million 2023, SH 2023 44,055 verified, SH 2022 ≈ 24,900 computed; the 2023 jump is Wohngeld-Plus
WOHNGELD_HOUSEHOLDS = {"01": {2014: 18_708, 2015: 15_137, 2022: 24_900, 2023: 44_055},
                       "DG": {2014: 510_716, 2015: 419_115, 2022: 651_800, 2023: 1_200_000}}
# Mikrozensus, not calibrated (orders of magnitude of Destatis releases): persons per private household,
# shares of one-person households, households with children under 18, single parents among those, and
# persons with Einwanderungsgeschichte (until 2021 "Migrationshintergrund", another definition)
PERSONS_PER_HOUSEHOLD = {"01": {2015: 2.02, 2022: 2.00}, "DG": {2015: 2.02, 2022: 2.01}}
ONE_PERSON_SHARE = {"01": {2015: 0.40, 2022: 0.41}, "DG": {2015: 0.41, 2022: 0.41}}
WITH_CHILDREN_SHARE = {"01": 0.19, "DG": 0.20}
SINGLE_PARENT_SHARE = {"01": 0.21, "DG": 0.20}
EINWANDERUNG_SHARE = {"01": {2015: 0.13, 2022: 0.17}, "DG": {2015: 0.21, 2022: 0.243}}
# Kinder- und Jugendhilfe on 31.12. per 10,000 under 21, and Inobhutnahmen of minors a year per 10,000
# under 18: not calibrated (orders of magnitude of the KJH statistics)
HZE_PER_10000_U21 = {"ambulant": {"01": 150, "DG": 140}, "fremd": {"01": 105, "DG": 100},
                     "35a": {"01": 50, "DG": 45}, "41": {"01": 27, "DG": 25}}
INOBHUT_PER_10000_U18 = {"01": {2015: 55, 2016: 60, 2018: 35, 2022: 42}, "DG": {2015: 57, 2016: 62, 2018: 39,
                                                                              2022: 47}}
# Kindertagesbetreuung on 1 March, not calibrated: Kindertagespflege among the children in care, and
# children with more than 7 hours a day (Ganztag)
TAGESPFLEGE_SHARE = {"01": {"ALT000B03": 0.22, "ALT003B06": 0.02}, "DG": {"ALT000B03": 0.15, "ALT003B06": 0.01}}
GANZTAG_SHARE = {"01": {2015: 0.32, 2023: 0.40}, "DG": {2015: 0.45, 2023: 0.50}}
# foreign nationals (31.12.): DE 2015 10.5 %, 2021 13.1 %, 2022 14.6 %, SH 2015 6.3 %, 2023 10.7 % (verified)
FOREIGN_SHARE = {"01": {2015: 0.063, 2023: 0.107}, "DG": {2015: 0.105, 2021: 0.131, 2022: 0.146}}
# mean age (31.12.): SH 2023 45.6 verified; the others carried
MEAN_AGE = {"01": {2015: 44.9, 2023: 45.6}, "DG": {2015: 44.3, 2023: 44.6}}
# area in km² (Destatis Gemeindeverzeichnis, rounded; carried)
AREA_KM2 = {"01": 15_804.0, "DG": 357_588.0}


def regelaltersgrenze_months(year: int) -> int:
    """Months beyond 65 of the statutory retirement age of persons reaching it in `year` (§ 235 SGB VI)."""
    if year <= 2011:
        return 0
    if year <= 2023:
        return year - 2011  # one month a year: 2012 → 65 + 1 … 2023 → 66
    return min(12 + 2 * (year - 2023), 24)  # two months a year to 67 in 2029
