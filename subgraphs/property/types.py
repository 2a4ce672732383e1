"""The property register's GraphQL types: Property and its parts, and Person's homes.

A :class:`Property` is always seen as the home of one owner, ``owner_id``: the
person it was reached through, or the viewer when it is resolved by its key and
the viewer owns a share of it. Every field of a property is guarded and nullable.
"""

from datetime import date

import strawberry
from strawberry.types import Info

from auth.policy import guarded
from subgraphs import kit
from subgraphs.property import taxes
from subgraphs.property.loaders import PropertyContext
from subgraphs.property.policies import OWN_DATA

USE_CODES = {
    110: "Farmhouse",
    120: "Detached single-family house",
    121: "Semi-detached single-family house",
    130: "Terraced, linked or double house",
    140: "Block of flats",
    510: "Summer house",
    910: "Garage",
    920: "Carport",
    930: "Outbuilding",
}
"""Texts of the building register's use codes (BBR, byganvendelse)."""


@strawberry.type(description="The address of a property.")
class PropertyAddress:
    address_id: strawberry.ID
    street: str
    house_number: str
    floor: str | None
    door: str | None
    postcode: str
    city: str
    municipality_code: str
    municipality_name: str
    text: str = strawberry.field(description="The address on one line.")


@strawberry.type(description="The land parcel of the cadastre.")
class Cadastre:
    cadastral_district: str
    parcel_number: str = strawberry.field(description="Such as 14a.")
    land_area: int = strawberry.field(description="Square metres.")


@strawberry.type(description="A building of the building register (BBR).")
class Building:
    building_number: int
    use_code: int
    use_text: str
    construction_year: int
    floor_area: int = strawberry.field(description="Square metres.")
    heating: str | None


@strawberry.type(description="A share of a property owned by one person.")
class Ownership:
    person: "Person"
    numerator: int
    denominator: int
    since: date
    fraction: str = strawberry.field(description="The share as a fraction (1/2).")

    @classmethod
    def from_row(cls, row: kit.Row) -> "Ownership":
        """The ownership of an ``ownerships`` row (or a home row with its share)."""
        return cls(
            person=Person(person_id=strawberry.ID(row["person_id"])),
            numerator=row["numerator"],
            denominator=row["denominator"],
            since=row["since"],
            fraction=f"{row['numerator']}/{row['denominator']}",
        )


@strawberry.type(description="The public valuation of one year, and its taxes.")
class Valuation:
    year: int
    property_value: int
    land_value: int
    preliminary: bool
    property_value_tax_base: int = strawberry.field(
        description="80 % of the property value."
    )
    property_value_tax: int = strawberry.field(
        description="5.1 per mille of the base up to 9.2 million, 14 above."
    )
    land_tax: int = strawberry.field(
        description="The municipal rate on 80 % of the land value."
    )

    @classmethod
    def from_row(cls, row: kit.Row, land_tax_rate: float) -> "Valuation":
        """The valuation of a ``valuations`` row, with taxes at ``land_tax_rate``."""
        value = row["property_value"]
        return cls(
            year=row["year"],
            property_value=value,
            land_value=row["land_value"],
            preliminary=row["preliminary"],
            property_value_tax_base=taxes.property_value_tax_base(value),
            property_value_tax=taxes.property_value_tax(value),
            land_tax=taxes.land_tax(row["land_value"], land_tax_rate),
        )


def resolve_address(root: "Property") -> PropertyAddress | None:
    """The property's address."""
    row = root.row
    unit = ", ".join(part for part in (row["floor"], row["door"]) if part)
    number = f"{row['house_number']}, {unit}" if unit else row["house_number"]
    return PropertyAddress(
        address_id=strawberry.ID(row["address_id"]),
        street=row["street"],
        house_number=row["house_number"],
        floor=row["floor"],
        door=row["door"],
        postcode=row["postcode"],
        city=row["city"],
        municipality_code=row["municipality_code"],
        municipality_name=row["municipality_name"],
        text=f"{row['street']} {number}, {row['postcode']} {row['city']}",
    )


def resolve_cadastre(root: "Property") -> Cadastre | None:
    """The property's parcel."""
    return Cadastre(
        cadastral_district=root.row["cadastral_district"],
        parcel_number=root.row["parcel_number"],
        land_area=root.row["land_area"],
    )


def resolve_share(root: "Property") -> Ownership | None:
    """The share of the owner the property is seen as."""
    return Ownership.from_row(root.share)


def resolve_land_tax_rate(root: "Property") -> float | None:
    """The municipality's land tax rate."""
    rate: float = root.row["land_tax_rate"]
    return rate


async def resolve_buildings(
    root: "Property", info: Info[PropertyContext, None]
) -> list[Building] | None:
    """The buildings on the property."""
    rows = await info.context.buildings.load(root.bfe_number)
    return [
        Building(
            building_number=row["building_number"],
            use_code=row["use_code"],
            use_text=USE_CODES.get(row["use_code"], "Other"),
            construction_year=row["construction_year"],
            floor_area=row["floor_area"],
            heating=row["heating"],
        )
        for row in rows
    ]


async def resolve_owners(
    root: "Property", info: Info[PropertyContext, None]
) -> list[Ownership] | None:
    """Everyone who owns a share of the property."""
    rows = await info.context.owners.load(root.bfe_number)
    return [Ownership.from_row(row) for row in rows]


async def resolve_valuations(
    root: "Property", info: Info[PropertyContext, None]
) -> list[Valuation] | None:
    """The property's valuations, newest first."""
    rows = await info.context.valuations.load(root.bfe_number)
    return [Valuation.from_row(row, root.row["land_tax_rate"]) for row in rows]


async def _latest(root: "Property", info: Info[PropertyContext, None]) -> Valuation:
    valuations = await resolve_valuations(root, info)
    if not valuations:
        raise kit.NotFound(f"Property {root.bfe_number} has no valuation yet.")
    return valuations[0]


async def resolve_property_value_tax(
    root: "Property", info: Info[PropertyContext, None]
) -> int | None:
    """The property value tax of the newest valuation."""
    return (await _latest(root, info)).property_value_tax


async def resolve_land_tax(
    root: "Property", info: Info[PropertyContext, None]
) -> int | None:
    """The land tax of the newest valuation."""
    return (await _latest(root, info)).land_tax


@strawberry.federation.type(keys=["bfeNumber"])
class Property:
    """A property of the register, seen as the home of one of its owners."""

    bfe_number: int
    owner_id: strawberry.Private[str]
    row: strawberry.Private[kit.Row]
    share: strawberry.Private[kit.Row]

    address: PropertyAddress | None = strawberry.field(
        resolver=resolve_address, extensions=guarded(OWN_DATA)
    )
    cadastre: Cadastre | None = strawberry.field(
        resolver=resolve_cadastre, extensions=guarded(OWN_DATA)
    )
    buildings: list[Building] | None = strawberry.field(
        resolver=resolve_buildings, extensions=guarded(OWN_DATA)
    )
    ownership_share: Ownership | None = strawberry.field(
        resolver=resolve_share,
        description="The share of the person the property was reached through.",
        extensions=guarded(OWN_DATA),
    )
    owners: list[Ownership] | None = strawberry.field(
        resolver=resolve_owners, extensions=guarded(OWN_DATA)
    )
    valuations: list[Valuation] | None = strawberry.field(
        resolver=resolve_valuations,
        description="Valuations per year, newest first.",
        extensions=guarded(OWN_DATA),
    )
    property_value_tax: int | None = strawberry.field(
        resolver=resolve_property_value_tax,
        description="The property value tax of the newest valuation.",
        extensions=guarded(OWN_DATA),
    )
    land_tax: int | None = strawberry.field(
        resolver=resolve_land_tax,
        description="The land tax of the newest valuation.",
        extensions=guarded(OWN_DATA),
    )
    land_tax_rate: float | None = strawberry.field(
        resolver=resolve_land_tax_rate,
        description="The municipality's land tax rate in per mille.",
        extensions=guarded(OWN_DATA),
    )

    @classmethod
    async def resolve_reference(
        cls, info: Info[PropertyContext, None], bfe_number: int
    ) -> "Property":
        """A property by BFE number, seen as the viewer's home.

        A property the register does not hold and one the viewer owns no share of
        look the same: not found.
        """
        if not isinstance(bfe_number, int) or isinstance(bfe_number, bool):
            raise kit.BadRepresentation(
                f"The BFE number must be an integer; got {bfe_number!r}."
            )
        row = await info.context.properties.load(bfe_number)
        owners = await info.context.owners.load(bfe_number)
        viewer = info.context.viewer.person_id
        share = next((o for o in owners if o["person_id"] == viewer), None)
        if row is None or share is None or viewer is None:
            raise kit.NotFound(
                f"There is no property with BFE number {bfe_number} that you own."
            )
        return cls(bfe_number=bfe_number, owner_id=viewer, row=row, share=share)


async def resolve_properties(
    root: "Person", info: Info[PropertyContext, None]
) -> list[Property] | None:
    """The properties the person owns a share of."""
    person = str(root.person_id)
    rows = await info.context.homes.load(person)
    return [
        Property(bfe_number=row["bfe_number"], owner_id=person, row=row, share=row)
        for row in rows
    ]


@strawberry.federation.type(keys=["personId"])
class Person:
    """A person of the civil register; any key resolves (no homes, no properties)."""

    person_id: strawberry.ID
    properties: list[Property] | None = strawberry.field(
        resolver=resolve_properties,
        description="The properties the person owns a share of.",
        extensions=guarded(OWN_DATA),
    )

    @property
    def owner_id(self) -> str:
        """The person is the owner of their own property data."""
        return str(self.person_id)
