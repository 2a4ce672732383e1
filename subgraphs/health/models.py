"""The health authority's tables: one record per person and its lists.

Everything is looked up by person, so every list table is indexed on
``person_id`` with the column it is read in order of.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

health_records = Table(
    "health_records",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("gp_name", String(80), nullable=False),
    Column("gp_clinic", String(80), nullable=False),
    Column("gp_address", String(120), nullable=False),
    Column("gp_phone", String(8), nullable=False),
    Column("gp_provider_number", String(6), nullable=False),
    Column("organ_donor_status", String(20), nullable=False),
    Column("organ_donor_registered", Date),
    Column("living_will", Boolean, nullable=False),
)

medications = Table(
    "medications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("drug", String(80), nullable=False),
    Column("atc_code", String(7), nullable=False),
    Column("strength", String(40), nullable=False),
    Column("dose", String(80), nullable=False),
    Column("indication", String(80), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Index("ix_medications_person", "person_id", "start_date"),
)

vaccinations = Table(
    "vaccinations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("vaccine", String(80), nullable=False),
    Column("protects_against", String(120), nullable=False),
    Column("dose", String(20), nullable=False),
    Column("given_on", Date, nullable=False),
    Index("ix_vaccinations_person", "person_id", "given_on"),
)

lab_results = Table(
    "lab_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("analysis_code", String(12), nullable=False),
    Column("analysis_name", String(80), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(20), nullable=False),
    Column("reference_low", Float),
    Column("reference_high", Float),
    Column("sampled_on", Date, nullable=False),
    Index("ix_lab_results_person", "person_id", "sampled_on"),
)

hospital_records = Table(
    "hospital_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("hospital", String(80), nullable=False),
    Column("department", String(80), nullable=False),
    Column("contact_type", String(12), nullable=False),
    Column("admitted", Date, nullable=False),
    Column("discharged", Date),
    Column("diagnosis_code", String(8), nullable=False),
    Column("diagnosis_text", String(120), nullable=False),
    Index("ix_hospital_records_person", "person_id", "admitted"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("specialty", String(60), nullable=False),
    Column("reason", String(120), nullable=False),
    Column("referred_by", String(80), nullable=False),
    Column("issued", Date, nullable=False),
    Column("expires", Date, nullable=False),
    Index("ix_referrals_person", "person_id", "issued"),
)
