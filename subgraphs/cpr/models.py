"""The civil register's tables.

``persons`` holds one row per person, keyed by the pseudonymous ``person_id`` (the
CPR number is a unique field, since it can change). Addresses are rows of their
own, shared by everyone living there. ``parent_child`` holds both parents of a
child with a custody flag (at most two holders), ``protections`` the
protections in force with their period, and ``powers_of_attorney`` the digital
powers of attorney (fuldmagt): who granted whom which authorities (``scope``, the
authority names separated by spaces) for which period. Every lookup is by one of
the indexed columns, in batches.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

addresses = Table(
    "addresses",
    metadata,
    Column("address_id", String(36), primary_key=True),
    Column("street", String(80), nullable=False),
    Column("house_number", String(4), nullable=False),
    Column("floor", String(3)),
    Column("door", String(4)),
    Column("postcode", String(4), nullable=False),
    Column("city", String(40), nullable=False),
    Column("municipality_code", String(3), nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("cpr", String(11), nullable=False, unique=True),
    Column("first_names", String(80), nullable=False),
    Column("middle_name", String(40)),
    Column("last_name", String(40), nullable=False),
    Column("addressing_name", String(34), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("status", String(2), nullable=False),
    Column("status_date", Date),
    Column("civil_status", String(1), nullable=False),
    Column("civil_status_date", Date),
    Column("spouse_id", String(36)),
    Column("address_id", String(36), ForeignKey("addresses.address_id")),
)

parent_child = Table(
    "parent_child",
    metadata,
    Column("parent_id", String(36), primary_key=True),
    Column("child_id", String(36), primary_key=True),
    Column("custody", Boolean, nullable=False),
    Index("ix_parent_child_child", "child_id"),
)

protections = Table(
    "protections",
    metadata,
    Column("person_id", String(36), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Index("ix_protections_person", "person_id"),
)

powers_of_attorney = Table(
    "powers_of_attorney",
    metadata,
    Column("power_id", String(36), primary_key=True),
    Column("grantor_id", String(36), nullable=False),
    Column("grantee_id", String(36), nullable=False),
    Column("scope", String(60), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Index("ix_powers_of_attorney_grantee", "grantee_id"),
)
