"""Modelling assumptions of the synthetic registers: every rate in one place, with its basis.

The values are round approximations chosen to give national totals of the right order
(see ``docs/synthetic-data.md`` for the sources). They are not statistics and must not be
read as such.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Age structure: approximate shares of Sweden's population by five-year group (shape of SCB's
# 2022 age pyramid, rounded). Index k covers ages 5k..5k+4; the last group is 95-104.
AGE_GROUP_SHARES = np.array(
    [5.6, 6.1, 6.2, 5.9, 5.7, 6.6, 6.9, 6.5, 6.1, 6.3, 6.4, 6.2, 5.6, 5.2, 5.2, 4.4, 2.9, 1.6,
     0.7, 0.2]
)
MAX_AGE = 104
MEN_SHARE_UNDER_80 = 0.506   # SCB: slightly more men than women below 80
MEN_SHARE_80_PLUS = 0.40     # women are about 60 % of those aged 80+


def age_weights(older_tilt: float) -> FloatArray:
    """Single-year age weights 0..MAX_AGE; ``older_tilt`` multiplies the weights of 65+."""
    weights = np.repeat(AGE_GROUP_SHARES / 5.0, 5)[: MAX_AGE + 1].astype(np.float64)
    weights[65:] *= older_tilt
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def older_tilt(population: int) -> float:
    """Small municipalities are older (SCB: the 65+ share is highest in small rural ones)."""
    if population < 15_000:
        return 1.35
    if population > 100_000:
        return 0.85
    return 1.0


# Annual mortality: Gompertz q(x) = exp(a + b x), men × 1.25, women × 0.85; gives roughly
# 0.9 % deaths a year overall (SCB: about 90 000 deaths in 10.5 M).
MORTALITY_A = -10.4
MORTALITY_B = 0.094
INFANT_MORTALITY = 0.002


def mortality(age: IntArray, male: NDArray[np.bool_]) -> FloatArray:
    """Probability of dying within a year at ``age``."""
    q = np.exp(MORTALITY_A + MORTALITY_B * age.astype(np.float64))
    q = np.where(male, q * 1.25, q * 0.85)
    q = np.where(age == 0, INFANT_MORTALITY, q)
    return np.asarray(np.clip(q, 0.0, 0.6), dtype=np.float64)


BIRTH_RATE = 0.0100        # births per inhabitant (SCB: about 100 000 a year)
MOVE_RATE = 0.015          # share moving municipality during a year
MOVE_SAME_REGION = 0.5     # of those, moving within the region

# Chronic conditions: prevalence by age band (per person), bands by lower age limit.
# Basis: Nationella diabetesregistret (≈ 5 % of adults with diabetes), SBU and Socialstyrelsen
# on heart failure (≈ 2 %, steeply rising with age), asthma ≈ 8 %, COPD ≈ 5 % of adults 45+.
CONDITIONS = ("heart_failure", "diabetes", "asthma", "copd")
PREVALENCE_BANDS = np.array([0, 20, 40, 50, 65, 75, 85])
PREVALENCE = {
    "heart_failure": np.array([0.0, 0.001, 0.003, 0.01, 0.04, 0.09, 0.18]),
    "diabetes": np.array([0.003, 0.005, 0.03, 0.06, 0.12, 0.15, 0.14]),
    "asthma": np.array([0.09, 0.08, 0.07, 0.07, 0.07, 0.07, 0.06]),
    "copd": np.array([0.0, 0.0, 0.005, 0.02, 0.06, 0.09, 0.09]),
}
# Admissions a year with the condition as main diagnosis, per person with the condition.
CHRONIC_ADMISSIONS = {"heart_failure": 0.12, "diabetes": 0.02, "asthma": 0.006, "copd": 0.08}
CHRONIC_CODES = {
    "heart_failure": ("I509", "I500", "I110"),
    "diabetes": ("E119", "E110", "E101"),
    "asthma": ("J459", "J450"),
    "copd": ("J441", "J449"),
}

# General inpatient episodes a year by age band (Patientregistret: about 1.4 M episodes a year
# in somatic care, most among the old).
INPATIENT_BANDS = np.array([0, 15, 45, 65, 75, 85])
INPATIENT_RATE = np.array([0.04, 0.06, 0.09, 0.20, 0.33, 0.48])
GENERAL_DIAGNOSES = ("J189", "N390", "S720", "I214", "I639", "K359", "C509", "Z515", "R074",
                     "M169", "O800", "F329")
GENERAL_WEIGHTS_YOUNG = np.array([4, 3, 0.3, 3, 1, 8, 4, 6, 10, 3, 12, 5], dtype=np.float64)
GENERAL_WEIGHTS_OLD = np.array([10, 8, 6, 8, 7, 1, 5, 6, 6, 6, 0, 2], dtype=np.float64)
PLANNED_GENERAL = 0.35
PLANNED_CHRONIC = 0.08
TRANSFER_SHARE = 0.07        # episodes followed by a transfer to another clinic/hospital
OTHER_REGION_SHARE = 0.03    # episodes in another region than the residence
IN_HOSPITAL_DEATH = 0.30     # share of deaths that happen during an inpatient stay
MEAN_STAY_YOUNG = 3.5
MEAN_STAY_OLD = 6.0


def readmission_rate(region_factor: float) -> float:
    """Extra unplanned readmission within 30 days after an unplanned stay at 65+.

    ÖJ 2021 (as reported): about one in ten nationally, 5 % in Jämtland to 13 % in Skåne.
    """
    return 0.05 + 0.09 * region_factor


# Emergency-department visits a year by age band (Socialstyrelsen: about 2 M visits, 18 % by
# persons aged 80+).
ED_BANDS = np.array([0, 18, 65, 80])
ED_RATE = np.array([0.13, 0.15, 0.24, 0.62])

# Specialist outpatient visits a year by age band.
SPECIALIST_BANDS = np.array([0, 18, 45, 65, 80])
SPECIALIST_RATE = np.array([0.5, 0.7, 1.0, 1.6, 1.8])

# Primary-care contacts a year by age band (all professions; Väntetidsdatabasen and regional
# statistics: about 40 M contacts a year), plus extra contacts with a chronic condition.
PRIMARY_BANDS = np.array([0, 7, 18, 45, 65, 80])
PRIMARY_RATE = np.array([4.5, 2.5, 3.0, 4.0, 6.5, 10.0])
PRIMARY_CHRONIC_EXTRA = 2.5
PROFESSION_MIX = {"doctor": 0.40, "nurse": 0.40, "physiotherapist": 0.12, "psychologist": 0.02,
                  "counsellor": 0.02, "occupational_therapist": 0.02, "dietitian": 0.01,
                  "other": 0.01}

# Distance uptake: share of primary-care doctor visits by video, by year (Vårdanalys 2022:1:
# digital visits rose sharply in 2020); multiplied by a region factor 0.5–1.5.
VIDEO_SHARE = {2019: 0.002, 2020: 0.025, 2021: 0.045, 2022: 0.055, 2023: 0.065}
PHONE_SHARE = {"doctor": 0.18, "nurse": 0.35, "other": 0.15}
LETTER_SHARE = 0.02


def video_share(year: int, region_factor: float) -> float:
    """Video share of doctor visits in ``year`` for a region."""
    if year in VIDEO_SHARE:
        base = VIDEO_SHARE[year]
    elif year < min(VIDEO_SHARE):
        base = VIDEO_SHARE[min(VIDEO_SHARE)]
    else:
        base = VIDEO_SHARE[max(VIDEO_SHARE)] + 0.005 * (year - max(VIDEO_SHARE))
    return base * (0.5 + region_factor)


# Clinician continuity: probability that a doctor visit is with the patient's usual doctor.
# Differs by region (factor 0–1) and improves by 3 percentage points a year from 2019;
# a named regular doctor adds 15 points. Nurses: 10 points higher.
def usual_doctor_probability(year: int, region_factor: float) -> float:
    """Chance that a doctor visit is with the usual doctor."""
    return float(np.clip(0.25 + 0.35 * region_factor + 0.03 * (year - 2019), 0.05, 0.95))


NAMED_DOCTOR_BONUS = 0.15
NURSE_BONUS = 0.10
DOCTORS_PER_LISTED = 1 / 1800
NURSES_PER_LISTED = 1 / 1500
LISTED_SHARE = 0.97
LISTED_PER_HEALTH_CENTRE = 9000   # about 1 150 health centres for 10.5 M


def named_doctor_probability(year: int, region_factor: float) -> float:
    """Share of listed persons with a named regular doctor (30–75 %, rising 4 points a year)."""
    return float(np.clip(0.30 + 0.35 * region_factor + 0.04 * (year - 2019), 0.05, 0.95))


NAMED_DOCTOR_SPECIAL_HOUSING = 0.92   # SKR 2022: 93 % in special housing

# Municipal health care (Socialstyrelsen: about 80 000 in special housing, 400 000 with
# municipal health care). Probabilities by age band.
MHC_BANDS = np.array([0, 65, 80, 90])
SPECIAL_HOUSING = np.array([0.0005, 0.008, 0.07, 0.25])
HOME_HEALTH_CARE = np.array([0.005, 0.03, 0.20, 0.35])

# Care guarantee: first assessments a year per person (new or worsened problems), waits.
ASSESSMENTS_PER_PERSON = 0.55
ASSESSMENT_PROFESSIONS = {"doctor": 0.55, "nurse": 0.35, "physiotherapist": 0.10}
PATIENT_CHOSE_LATER = 0.05
NOT_COMPLETED = 0.03


def same_day_probability(region_factor: float) -> float:
    """Parameter of the geometric wait: about 75–88 % within three days."""
    return 0.30 + 0.15 * region_factor


# Costs (SCB OE0107: about 28 000 kr per inhabitant a year for the regions' health care).
COST_PER_INHABITANT = 28_000
COST_SHARES = {"primary_care": 0.18, "specialised_somatic": 0.60,
               "specialised_psychiatric": 0.10, "other_health_care": 0.04,
               "pharmaceuticals_benefit": 0.06, "dental_care": 0.02}
MUNICIPAL_COST_PER_INHABITANT = 2_500


def band_lookup(bands: NDArray[np.int64], values: FloatArray, age: IntArray) -> FloatArray:
    """Value of the band each age falls in (bands by lower limit)."""
    idx = np.searchsorted(bands, age, side="right") - 1
    return np.asarray(values[np.clip(idx, 0, len(values) - 1)], dtype=np.float64)
