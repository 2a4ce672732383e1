"""The civil register's GraphQL types: Person, Spouse, Child and their parts.

Every object that holds personal data names its person in ``owner_id``, which the
access rules of :mod:`subgraphs.cpr.policies` read. Fields that a rule can deny are
nullable; a denied field is null with one ``FORBIDDEN`` error. People the viewer
may not look up at all (anyone but themself, their spouse, their children and the
person they act for) are answered exactly like people who do not exist: null with
one ``NOT_FOUND`` error.
"""

import enum
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from auth.policy import guarded
from auth.viewer import Relations
from subgraphs import kit
from subgraphs.cpr.loaders import CprContext, PersonRecord
from subgraphs.cpr.policies import ADDRESS, FAMILY, IDENTITY, OWN, may_look_up
from subgraphs.kit import NotFound

CIVIL_STATUSES = {
    "U": "unmarried",
    "G": "married",
    "F": "divorced",
    "E": "widowed",
    "P": "registered partnership",
    "O": "dissolved partnership",
    "L": "longest-living partner",
    "D": "deceased",
}
"""Civil status codes of the register and what they mean."""

PERSON_STATUSES = {
    "01": "active resident",
    "03": "resident, special address",
    "05": "resident in Greenland",
    "70": "disappeared",
    "80": "emigrated",
    "90": "dead",
}
"""Person status codes of the register and what they mean."""

Context = Info[CprContext, None]

NOT_FOUND_MESSAGE = "There is no person with this personId that you may see."
"""One message for the unknown and the denied, so that neither can be told apart."""


@strawberry.enum(description="A kind of protection registered on a person.")
class ProtectionKind(enum.Enum):
    NAME_ADDRESS = "name_address"
    LOCAL_DIRECTORY = "local_directory"
    MARKETING = "marketing"
    RESEARCH = "research"


@strawberry.type(description="A protection in force, with its period.")
class Protection:
    kind: ProtectionKind
    valid_from: date
    valid_to: date | None = strawberry.field(
        description="The last day, or null until further notice."
    )


@strawberry.type(description="A person's name as the civil register holds it.")
class Name:
    first_names: str
    middle_name: str | None
    last_name: str
    addressing_name: str = strawberry.field(
        description="The name to address letters to, at most 34 characters."
    )

    @classmethod
    def from_row(cls, row: kit.Row) -> "Name":
        """The name columns of a ``persons`` row."""
        return cls(
            first_names=row["first_names"],
            middle_name=row["middle_name"],
            last_name=row["last_name"],
            addressing_name=row["addressing_name"],
        )


@strawberry.type(description="An address of the Danish address register.")
class Address:
    address_id: strawberry.ID = strawberry.field(
        description="The stable UUID of the address."
    )
    street: str
    house_number: str
    floor: str | None
    door: str | None
    postcode: str
    city: str
    municipality_code: str


@strawberry.type(description="A status code, what it means, and since when.")
class CivilStatus:
    code: str
    description: str
    since: date | None


@strawberry.type(description="The person's status in the register, and since when.")
class PersonStatus:
    code: str
    description: str
    since: date | None


@strawberry.type(description="A parent of the person, and whether they hold custody.")
class Parent:
    person_id: strawberry.ID
    has_custody: bool


def _visible(info: Context, person_id: str) -> None:
    if not may_look_up(info.context.viewer, person_id):
        raise NotFound(NOT_FOUND_MESSAGE)


async def _record(info: Context, person_id: str) -> PersonRecord:
    """The person ``person_id`` if the viewer may look them up; NOT_FOUND if not."""
    _visible(info, person_id)
    record: PersonRecord | None = await info.context.people.load(person_id)
    if record is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return record


@strawberry.federation.type(
    keys=["personId"], description="The viewer's spouse or registered partner."
)
class Spouse:
    person_id: strawberry.ID
    cpr_number: str | None = strawberry.field(extensions=guarded(IDENTITY))
    name: Name | None = strawberry.field(extensions=guarded(IDENTITY))
    birth_date: date | None = strawberry.field(extensions=guarded(IDENTITY))
    married_since: date | None = strawberry.field(extensions=guarded(IDENTITY))

    @property
    def owner_id(self) -> str:
        """The spouse is the person this data is about."""
        return str(self.person_id)

    @classmethod
    def from_record(cls, record: PersonRecord) -> "Spouse":
        """A spouse from their ``persons`` row."""
        row = record.row
        return cls(
            person_id=strawberry.ID(row["person_id"]),
            cpr_number=row["cpr"],
            name=Name.from_row(row),
            birth_date=row["birth_date"],
            married_since=row["civil_status_date"],
        )

    @classmethod
    async def resolve_reference(cls, info: Context, person_id: object) -> "Spouse":
        """The spouse by key, for the viewer who is married to them."""
        key = str(person_id)
        if info.context.viewer.relations.spouse_id != key:
            raise NotFound(NOT_FOUND_MESSAGE)
        return cls.from_record(await _record(info, key))


@strawberry.federation.type(keys=["personId"], description="A child of the viewer.")
class Child:
    person_id: strawberry.ID
    cpr_number: str | None = strawberry.field(extensions=guarded(IDENTITY))
    name: Name | None = strawberry.field(extensions=guarded(IDENTITY))
    birth_date: date | None = strawberry.field(extensions=guarded(IDENTITY))
    custody: strawberry.Private[bool | None] = None

    @property
    def owner_id(self) -> str:
        """The child is the person this data is about."""
        return str(self.person_id)

    @classmethod
    def from_row(cls, row: kit.Row, custody: bool | None = None) -> "Child":
        """A child from a ``persons`` row (with the viewer's custody if known)."""
        return cls(
            person_id=strawberry.ID(row["person_id"]),
            cpr_number=row["cpr"],
            name=Name.from_row(row),
            birth_date=row["birth_date"],
            custody=custody,
        )

    @classmethod
    async def resolve_reference(cls, info: Context, person_id: object) -> "Child":
        """The child by key, for a parent of theirs."""
        key = str(person_id)
        if info.context.viewer.relations.child(key) is None:
            raise NotFound(NOT_FOUND_MESSAGE)
        return cls.from_row((await _record(info, key)).row)

    @strawberry.field(description="Whether the viewer holds custody of this child.")
    async def has_custody(self, info: Context) -> bool:
        """True when the viewer is a custody holder of the child."""
        if self.custody is not None:
            return self.custody
        viewer = info.context.viewer.person_id
        parents = await info.context.parents.load(str(self.person_id))
        return any(p["parent_id"] == viewer and p["custody"] for p in parents)


@strawberry.federation.type(
    keys=["personId"], description="A person of the civil register."
)
class Person:
    person_id: strawberry.ID = strawberry.field(
        description="The pseudonymous key of the person; never the CPR number."
    )
    cpr_number: str | None = strawberry.field(extensions=guarded(IDENTITY))
    name: Name | None = strawberry.field(extensions=guarded(IDENTITY))
    birth_date: date | None = strawberry.field(extensions=guarded(IDENTITY))
    address: Address | None = strawberry.field(
        extensions=guarded(ADDRESS),
        description="The current address; null for the dead and the emigrated.",
    )
    civil_status: CivilStatus | None = strawberry.field(extensions=guarded(OWN))
    status: PersonStatus | None = strawberry.field(extensions=guarded(OWN))
    protections: list[Protection] | None = strawberry.field(
        extensions=guarded(OWN),
        description="Protections in force, empty when none; the person's own.",
    )
    spouse_id: strawberry.Private[str | None]
    protection_kinds: strawberry.Private[frozenset[str]]

    @property
    def owner_id(self) -> str:
        """The person is the owner of their own register data."""
        return str(self.person_id)

    @classmethod
    def from_record(cls, record: PersonRecord, today: date) -> "Person":
        """A person from their rows; protections outside their period are left out."""
        row = record.row
        in_force = [
            Protection(
                kind=ProtectionKind(p["protection_kind"]),
                valid_from=p["protection_from"],
                valid_to=p["protection_to"],
            )
            for p in record.protections
            if p["protection_from"] <= today
            and (p["protection_to"] is None or today <= p["protection_to"])
        ]
        return cls(
            person_id=strawberry.ID(row["person_id"]),
            cpr_number=row["cpr"],
            name=Name.from_row(row),
            birth_date=row["birth_date"],
            address=_address(row),
            civil_status=_status(CivilStatus, CIVIL_STATUSES, row, "civil_status"),
            status=_status(PersonStatus, PERSON_STATUSES, row, "status"),
            protections=in_force,
            spouse_id=row["spouse_id"],
            protection_kinds=frozenset(p.kind.value for p in in_force),
        )

    @classmethod
    async def resolve_reference(cls, info: Context, person_id: object) -> "Person":
        """The person by key, if the viewer may look them up."""
        return await load_person(info, str(person_id))

    @strawberry.field(extensions=guarded(FAMILY))
    async def spouse(self, info: Context) -> Spouse | None:
        """The spouse or registered partner; null for the unmarried."""
        if self.spouse_id is None:
            return None
        record: PersonRecord | None = await info.context.people.load(self.spouse_id)
        return Spouse.from_record(record) if record is not None else None

    @strawberry.field(extensions=guarded(FAMILY), description="Oldest first.")
    async def children(self, info: Context) -> list[Child] | None:
        """The person's children, each with the person's custody of them."""
        rows = await info.context.children.load(str(self.person_id))
        return [Child.from_row(row, custody=row["custody"]) for row in rows]

    @strawberry.field(extensions=guarded(FAMILY))
    async def parents(self, info: Context) -> list[Parent] | None:
        """The person's registered parents and whether each holds custody."""
        rows = await info.context.parents.load(str(self.person_id))
        return [
            Parent(person_id=strawberry.ID(r["parent_id"]), has_custody=r["custody"])
            for r in rows
        ]


def _address(row: kit.Row) -> Address | None:
    if row["address_id"] is None:
        return None
    return Address(
        address_id=strawberry.ID(row["address_id"]),
        street=row["street"],
        house_number=row["house_number"],
        floor=row["floor"],
        door=row["door"],
        postcode=row["postcode"],
        city=row["city"],
        municipality_code=row["municipality_code"],
    )


def _status(kind: Any, names: dict[str, str], row: kit.Row, column: str) -> Any:
    code = row[column]
    return kind(
        code=code, description=names.get(code, "unknown"), since=row[f"{column}_date"]
    )


async def load_person(info: Context, person_id: str) -> Person:
    """The person ``person_id``; NOT_FOUND alike for the unknown and the denied."""
    record = await _record(info, person_id)
    return Person.from_record(record, info.context.viewer.today)


@strawberry.federation.type(
    inaccessible=True, description="A child of the viewer, for the access rules."
)
class ViewerChild:
    person_id: strawberry.ID
    birth_date: date
    has_custody: bool


@strawberry.federation.type(
    inaccessible=True,
    description="A power of attorney the viewer holds, for the access rules.",
)
class ViewerPower:
    grantor_id: strawberry.ID
    scope: list[str]
    valid_from: date
    valid_to: date | None


@strawberry.federation.type(
    inaccessible=True,
    description="The viewer's spouse, children, parents and powers of attorney "
    "held; the gateway reads it once.",
)
class ViewerRelations:
    spouse_id: strawberry.ID | None
    children: list[ViewerChild]
    parent_ids: list[strawberry.ID]
    powers: list[ViewerPower]

    @classmethod
    def of(cls, relations: Relations) -> "ViewerRelations":
        """The relations as the gateway reads them over GraphQL."""
        spouse = relations.spouse_id
        return cls(
            spouse_id=strawberry.ID(spouse) if spouse else None,
            children=[
                ViewerChild(
                    person_id=strawberry.ID(child.person_id),
                    birth_date=child.birth_date,
                    has_custody=child.has_custody,
                )
                for child in relations.children
            ],
            parent_ids=[strawberry.ID(parent) for parent in relations.parent_ids],
            powers=[
                ViewerPower(
                    grantor_id=strawberry.ID(power.grantor_id),
                    scope=sorted(power.scope),
                    valid_from=power.valid_from,
                    valid_to=power.valid_to,
                )
                for power in relations.powers
            ],
        )
