"""The civil register's synthetic data, derived from the population.

Every citizen becomes a ``persons`` row (the dead and the emigrated without an
address), every address one ``addresses`` row, every parent of a child a
``parent_child`` row with its custody flag, every protection a row with the
period it is in force (name and address protection lasts a year and is renewed,
the others run until further notice), and every power of attorney a citizen
granted a ``powers_of_attorney`` row with its scope and period.
"""

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Table

from subgraphs.cpr.models import (
    addresses,
    parent_child,
    persons,
    powers_of_attorney,
    protections,
)
from subgraphs.cpr.names import addressing_name
from subgraphs.population import TODAY, Citizen, Household

PROTECTION_DAYS = 365
"""How long a name and address protection lasts before it must be renewed."""


def rows(chunk: Sequence[Household]) -> dict[Table, list[dict[str, Any]]]:
    """The civil register's rows for ``chunk``, per table, in insertion order."""
    address_rows: dict[str, dict[str, Any]] = {}
    person_rows: list[dict[str, Any]] = []
    relation_rows: list[dict[str, Any]] = []
    protection_rows: list[dict[str, Any]] = []
    power_rows: list[dict[str, Any]] = []
    for household in chunk:
        for citizen in household.members:
            address = citizen.address
            if address is not None and address.address_id not in address_rows:
                address_rows[address.address_id] = {
                    "address_id": address.address_id,
                    "street": address.street,
                    "house_number": address.house_number,
                    "floor": address.floor,
                    "door": address.door,
                    "postcode": address.postcode,
                    "city": address.city,
                    "municipality_code": address.municipality.code,
                }
            person_rows.append(_person(citizen))
            relation_rows.extend(
                {
                    "parent_id": parent_id,
                    "child_id": citizen.person_id,
                    "custody": parent_id in citizen.custody_holder_ids,
                }
                for parent_id in citizen.parent_ids
            )
            protection_rows.extend(_protections(citizen))
            power_rows.extend(_powers(citizen))
    return {
        addresses: list(address_rows.values()),
        persons: person_rows,
        parent_child: relation_rows,
        protections: protection_rows,
        powers_of_attorney: power_rows,
    }


def _person(citizen: Citizen) -> dict[str, Any]:
    return {
        "person_id": citizen.person_id,
        "cpr": citizen.cpr,
        "first_names": citizen.first_names,
        "middle_name": citizen.middle_name,
        "last_name": citizen.last_name,
        "addressing_name": addressing_name(
            citizen.first_names, citizen.middle_name, citizen.last_name
        ),
        "sex": citizen.sex,
        "birth_date": citizen.birth_date,
        "status": citizen.status,
        "status_date": citizen.status_date,
        "civil_status": citizen.civil_status,
        "civil_status_date": citizen.civil_status_date,
        "spouse_id": citizen.spouse_id,
        "address_id": citizen.address.address_id if citizen.address else None,
    }


def _protections(citizen: Citizen) -> list[dict[str, Any]]:
    if not citizen.protections:
        return []
    rng = random.Random(citizen.person_id)
    result = []
    for kind in citizen.protections:
        start = TODAY - timedelta(days=rng.randint(10, PROTECTION_DAYS - 10))
        end = (
            start + timedelta(days=PROTECTION_DAYS) if kind == "name_address" else None
        )
        result.append(
            {
                "person_id": citizen.person_id,
                "kind": kind,
                "valid_from": start,
                "valid_to": end,
            }
        )
    return result


def _powers(citizen: Citizen) -> list[dict[str, Any]]:
    return [
        {
            "power_id": grant.power_id,
            "grantor_id": citizen.person_id,
            "grantee_id": grant.grantee_id,
            "scope": " ".join(sorted(grant.scope)),
            "valid_from": grant.valid_from,
            "valid_to": grant.valid_to,
        }
        for grant in citizen.powers_granted
    ]
