"""The health authority's synthetic data, derived from the population.

Every resident gets a record with a general practitioner in their municipality.
Children (and adults born since 1996, whom the register covers) get the Danish
childhood vaccination programme for their age; those of 65 and over the yearly
influenza vaccine. Medication, lab results, hospital contacts, referrals and organ
donor registrations are drawn per person with frequencies that grow with age. All
randomness comes from ``random.Random`` seeded with the person's id.
"""

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table

from subgraphs.health.models import (
    health_records,
    hospital_records,
    lab_results,
    medications,
    referrals,
    vaccinations,
)
from subgraphs.population import TODAY, Citizen, Household

PROGRAMME = (
    (91, "DiTeKiPol/Hib", "diphtheria, tetanus, pertussis, polio, Hib", "1"),
    (91, "Pneumococcal (PCV)", "pneumococcal disease", "1"),
    (152, "DiTeKiPol/Hib", "diphtheria, tetanus, pertussis, polio, Hib", "2"),
    (152, "Pneumococcal (PCV)", "pneumococcal disease", "2"),
    (365, "DiTeKiPol/Hib", "diphtheria, tetanus, pertussis, polio, Hib", "3"),
    (365, "Pneumococcal (PCV)", "pneumococcal disease", "3"),
    (456, "MMR", "measles, mumps, rubella", "1"),
    (1461, "MMR", "measles, mumps, rubella", "2"),
    (1826, "diTeKiPol booster", "diphtheria, tetanus, pertussis, polio", "booster"),
    (4383, "HPV", "human papillomavirus", "1"),
    (4565, "HPV", "human papillomavirus", "2"),
)
"""The childhood programme: age in days, vaccine, what it protects against, dose."""

PROGRAMME_SINCE = date(1996, 1, 1)
"""Vaccinations of people born before this are not in the register."""

DRUGS = (
    # (minimum age, chance, drug, ATC, strength, dose, indication, ongoing)
    (
        50,
        0.30,
        "Atorvastatin",
        "C10AA05",
        "20 mg",
        "1 tablet daily",
        "High cholesterol",
        True,
    ),
    (
        45,
        0.22,
        "Amlodipine",
        "C08CA01",
        "5 mg",
        "1 tablet daily",
        "High blood pressure",
        True,
    ),
    (
        55,
        0.10,
        "Metformin",
        "A10BA02",
        "500 mg",
        "1 tablet twice daily",
        "Type 2 diabetes",
        True,
    ),
    (
        30,
        0.05,
        "Levothyroxine",
        "H03AA01",
        "50 µg",
        "1 tablet in the morning",
        "Hypothyroidism",
        True,
    ),
    (
        5,
        0.08,
        "Salbutamol",
        "R03AC02",
        "0.1 mg/dose",
        "1-2 puffs as needed",
        "Asthma",
        True,
    ),
    (
        6,
        0.12,
        "Cetirizine",
        "R06AE07",
        "10 mg",
        "1 tablet daily in season",
        "Hay fever",
        False,
    ),
    (
        18,
        0.10,
        "Ibuprofen",
        "M01AE01",
        "400 mg",
        "1 tablet up to 3 times daily",
        "Pain",
        False,
    ),
    (
        0,
        0.25,
        "Phenoxymethylpenicillin",
        "J01CE02",
        "1 MIU",
        "1 tablet 3 times daily for 7 days",
        "Throat infection",
        False,
    ),
    (
        0,
        0.12,
        "Amoxicillin",
        "J01CA04",
        "500 mg",
        "1 capsule 3 times daily for 7 days",
        "Ear infection",
        False,
    ),
)

LAB_PANEL = (
    # (NPU code, name, unit, mean, spread, low, high)
    ("NPU02319", "Haemoglobin", "mmol/L", 8.7, 0.7, 7.3, 10.5),
    ("NPU27300", "HbA1c", "mmol/mol", 38.0, 6.0, None, 48.0),
    ("NPU01566", "Cholesterol", "mmol/L", 5.0, 0.9, None, 5.0),
    ("NPU18016", "Creatinine", "µmol/L", 78.0, 14.0, 45.0, 105.0),
    ("NPU03577", "TSH", "mIU/L", 1.9, 0.8, 0.3, 4.0),
    ("NPU19748", "C-reactive protein", "mg/L", 3.0, 2.5, None, 8.0),
)

CONTACTS = (
    (
        "DS525",
        "Fracture of the lower end of the radius",
        "Emergency department",
        "outpatient",
    ),
    ("DJ189", "Pneumonia", "Medical department", "inpatient"),
    ("DK359", "Acute appendicitis", "Surgical department", "inpatient"),
    ("DM179", "Osteoarthritis of the knee", "Orthopaedic surgery", "outpatient"),
    ("DR074", "Chest pain", "Cardiology", "outpatient"),
)

SPECIALTIES = (
    ("Dermatology", "Eczema that does not respond to treatment"),
    ("Physiotherapy", "Back pain"),
    ("Ophthalmology", "Blurred vision"),
    ("Psychology", "Anxiety"),
    ("Ear, nose and throat", "Recurring sinusitis"),
)

DONOR = (
    ("FULL", 0.55),
    ("LIMITED", 0.2),
    ("DECLINED", 0.15),
    ("RELATIVES_DECIDE", 0.1),
)

DOCTORS = (
    "Anne Holm",
    "Peter Lund",
    "Mette Kjær",
    "Jens Bach",
    "Sofie Dahl",
    "Ole Krogh",
)


def _day(rng: random.Random, earliest: date, latest: date = TODAY) -> date:
    span = max(0, (latest - earliest).days)
    return earliest + timedelta(days=rng.randint(0, span))


def _record(citizen: Citizen, rng: random.Random, age: int) -> dict[str, Any]:
    assert citizen.address is not None
    address = citizen.address
    doctor = rng.choice(DOCTORS)
    status, registered = "NOT_REGISTERED", None
    if age >= 18 and rng.random() < 0.35:
        status = rng.choices([s for s, _ in DONOR], [w for _, w in DONOR])[0]
        adult = citizen.birth_date + timedelta(days=18 * 365 + 5)
        registered = _day(rng, max(adult, date(2010, 1, 1)))
    return {
        "person_id": citizen.person_id,
        "gp_name": doctor,
        "gp_clinic": f"Lægerne {address.city}",
        "gp_address": f"{address.street} {rng.randint(1, 90)}, "
        f"{address.postcode} {address.city}",
        "gp_phone": f"{rng.randint(30, 99)}{rng.randint(0, 999_999):06d}",
        "gp_provider_number": f"{rng.randint(0, 999_999):06d}",
        "organ_donor_status": status,
        "organ_donor_registered": registered,
        "living_will": age >= 50 and rng.random() < 0.06,
    }


def vaccination_rows(citizen: Citizen) -> list[dict[str, Any]]:
    """The childhood programme up to the citizen's age, and yearly flu vaccines."""
    rows = []
    born = citizen.birth_date
    if born >= PROGRAMME_SINCE:
        for days, vaccine, against, dose in PROGRAMME:
            given = born + timedelta(days=days)
            if given <= TODAY:
                rows.append((vaccine, against, dose, given))
    for year in range(TODAY.year - 2, TODAY.year + 1):
        autumn = date(year, 10, 15)
        if autumn <= TODAY and citizen.age_on(autumn) >= 65:
            rows.append(("Influenza", "seasonal influenza", str(year), autumn))
    return [
        {
            "person_id": citizen.person_id,
            "vaccine": vaccine,
            "protects_against": against,
            "dose": dose,
            "given_on": given,
        }
        for vaccine, against, dose, given in rows
    ]


def _medications(
    citizen: Citizen, rng: random.Random, age: int
) -> list[dict[str, Any]]:
    rows = []
    for least, chance, drug, atc, strength, dose, indication, ongoing in DRUGS:
        if age < least or rng.random() >= chance * (1 + age / 100):
            continue
        earliest = max(
            citizen.birth_date + timedelta(days=365 * least),
            TODAY - timedelta(days=3650),
        )
        start = _day(rng, earliest, TODAY - timedelta(days=14))
        end = (
            None
            if ongoing
            else min(TODAY, start + timedelta(days=rng.choice((7, 10, 30, 90))))
        )
        rows.append(
            {
                "person_id": citizen.person_id,
                "drug": drug,
                "atc_code": atc,
                "strength": strength,
                "dose": dose,
                "indication": indication,
                "start_date": start,
                "end_date": end,
            }
        )
    return rows


def _lab_results(
    citizen: Citizen, rng: random.Random, age: int
) -> list[dict[str, Any]]:
    if age < 25 or rng.random() >= 0.25 + age / 200:
        return []
    sampled = _day(rng, TODAY - timedelta(days=700), TODAY - timedelta(days=3))
    return [
        {
            "person_id": citizen.person_id,
            "analysis_code": code,
            "analysis_name": name,
            "value": round(max(0.1, rng.gauss(mean, spread)), 1),
            "unit": unit,
            "reference_low": low,
            "reference_high": high,
            "sampled_on": sampled,
        }
        for code, name, unit, mean, spread, low, high in LAB_PANEL
    ]


def _hospital(citizen: Citizen, rng: random.Random, age: int) -> list[dict[str, Any]]:
    if rng.random() >= 0.08 + age / 400:
        return []
    assert citizen.address is not None
    code, text, department, kind = rng.choice(CONTACTS)
    admitted = _day(rng, max(citizen.birth_date, TODAY - timedelta(days=1800)))
    stay = rng.randint(1, 6) if kind == "inpatient" else 0
    return [
        {
            "person_id": citizen.person_id,
            "hospital": f"Regionshospitalet {citizen.address.city}",
            "department": department,
            "contact_type": kind,
            "admitted": admitted,
            "discharged": min(TODAY, admitted + timedelta(days=stay)),
            "diagnosis_code": code,
            "diagnosis_text": text,
        }
    ]


def _referrals(
    citizen: Citizen, rng: random.Random, doctor: str
) -> list[dict[str, Any]]:
    if rng.random() >= 0.1:
        return []
    specialty, reason = rng.choice(SPECIALTIES)
    issued = _day(rng, max(citizen.birth_date, TODAY - timedelta(days=365)))
    return [
        {
            "person_id": citizen.person_id,
            "specialty": specialty,
            "reason": reason,
            "referred_by": doctor,
            "issued": issued,
            "expires": issued + timedelta(days=182),
        }
    ]


def rows(chunk: Sequence[Household]) -> dict[Table, list[dict[str, Any]]]:
    """The health authority's rows for a chunk of households (pure, deterministic).

    Only residents (people with a current address) have a record.
    """
    result: dict[Table, list[dict[str, Any]]] = {
        health_records: [],
        medications: [],
        vaccinations: [],
        lab_results: [],
        hospital_records: [],
        referrals: [],
    }
    for household in chunk:
        for citizen in household.members:
            if citizen.address is None:
                continue
            rng = random.Random(f"health:{citizen.person_id}")
            age = citizen.age_on(TODAY)
            record = _record(citizen, rng, age)
            result[health_records].append(record)
            result[vaccinations].extend(vaccination_rows(citizen))
            result[medications].extend(_medications(citizen, rng, age))
            result[lab_results].extend(_lab_results(citizen, rng, age))
            result[hospital_records].extend(_hospital(citizen, rng, age))
            result[referrals].extend(_referrals(citizen, rng, record["gp_name"]))
    return result
