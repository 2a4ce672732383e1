"""The property register's tables, keyed by the BFE number.

A property has its address and cadastral parcel in ``properties``, its buildings,
owners and yearly valuations in tables of their own. Lookups are by BFE number and,
for a person's homes, by owner, so those columns are indexed.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

properties = Table(
    "properties",
    metadata,
    Column("bfe_number", Integer, primary_key=True, autoincrement=False),
    Column("address_id", String(36), nullable=False),
    Column("street", String(80), nullable=False),
    Column("house_number", String(8), nullable=False),
    Column("floor", String(4)),
    Column("door", String(4)),
    Column("postcode", String(4), nullable=False),
    Column("city", String(60), nullable=False),
    Column("municipality_code", String(3), nullable=False),
    Column("municipality_name", String(60), nullable=False),
    Column("land_tax_rate", Float, nullable=False),  # per mille
    Column("cadastral_district", String(80), nullable=False),
    Column("parcel_number", String(8), nullable=False),
    Column("land_area", Integer, nullable=False),
)

buildings = Table(
    "buildings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bfe_number", Integer, ForeignKey("properties.bfe_number"), nullable=False),
    Column("building_number", Integer, nullable=False),
    Column("use_code", Integer, nullable=False),
    Column("construction_year", Integer, nullable=False),
    Column("floor_area", Integer, nullable=False),
    Column("heating", String(40)),
    Index("ix_buildings_bfe", "bfe_number", "building_number"),
)

ownerships = Table(
    "ownerships",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bfe_number", Integer, ForeignKey("properties.bfe_number"), nullable=False),
    Column("person_id", String(36), nullable=False),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("since", Date, nullable=False),
    Index("ix_ownerships_person", "person_id"),
    Index("ix_ownerships_bfe", "bfe_number"),
)

valuations = Table(
    "valuations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bfe_number", Integer, ForeignKey("properties.bfe_number"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("property_value", Integer, nullable=False),
    Column("land_value", Integer, nullable=False),
    Column("preliminary", Boolean, nullable=False),
    Index("ix_valuations_bfe_year", "bfe_number", "year"),
)
