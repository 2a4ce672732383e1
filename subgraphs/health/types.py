"""The health authority's GraphQL types: HealthRecord and its lists.

``Person.healthRecord`` and ``Child.healthRecord`` reach the record; each field of
the record then applies its own rule from :mod:`subgraphs.health.policies`, so a
parent with custody sees some lists of a young child's record and a FORBIDDEN error
for each of the others.
"""

import enum
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from auth.policy import guarded
from subgraphs import kit
from subgraphs.health.loaders import HealthContext
from subgraphs.health.policies import OWN_RECORD, RECORD, SHARED_WITH_CUSTODY


@strawberry.type(description="The person's general practitioner (own doctor).")
class GeneralPractitioner:
    owner_id: strawberry.Private[str]
    name: str
    clinic: str
    address: str
    phone: str
    provider_number: str = strawberry.field(description="The practice's ydernummer.")


@strawberry.type(description="A drug on the shared medicine card.")
class Medication:
    owner_id: strawberry.Private[str]
    drug: str
    atc_code: str = strawberry.field(description="The ATC classification code.")
    strength: str
    dose: str
    indication: str
    start_date: date
    end_date: date | None = strawberry.field(description="Null while ongoing.")


@strawberry.type(description="A vaccination of the Danish vaccination register.")
class Vaccination:
    owner_id: strawberry.Private[str]
    vaccine: str
    protects_against: str
    dose: str
    given_on: date


@strawberry.type(description="A laboratory result with its reference range.")
class LabResult:
    owner_id: strawberry.Private[str]
    analysis_code: str = strawberry.field(description="The NPU code of the analysis.")
    analysis_name: str
    value: float
    unit: str
    reference_low: float | None
    reference_high: float | None
    reference_range: str = strawberry.field(description="Such as 8.3-10.5.")
    outside_reference: bool
    sampled_on: date


@strawberry.type(description="An admission or outpatient contact at a hospital.")
class HospitalRecord:
    owner_id: strawberry.Private[str]
    hospital: str
    department: str
    contact_type: str = strawberry.field(description="inpatient or outpatient.")
    admitted: date
    discharged: date | None
    diagnosis_code: str = strawberry.field(description="ICD-10 (SKS) code.")
    diagnosis_text: str


@strawberry.type(description="A referral from the practitioner to a specialist.")
class Referral:
    owner_id: strawberry.Private[str]
    specialty: str
    reason: str
    referred_by: str
    issued: date
    expires: date


@strawberry.enum(description="A registration in the Danish organ donor register.")
class OrganDonorStatus(enum.Enum):
    NOT_REGISTERED = "NOT_REGISTERED"
    FULL = "FULL"
    LIMITED = "LIMITED"
    DECLINED = "DECLINED"
    RELATIVES_DECIDE = "RELATIVES_DECIDE"


@strawberry.type(description="The person's organ donor registration.")
class OrganDonorRegistration:
    owner_id: strawberry.Private[str]
    status: OrganDonorStatus
    registered: date | None


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    if low is None:
        return f"< {high:g}"
    if high is None:
        return f"> {low:g}"
    return f"{low:g}-{high:g}"


def _from_row(cls: Any, row: kit.Row) -> Any:
    """A record type from its row: each field from the column of the same name."""
    fields = cls.__strawberry_definition__.fields
    values = {f.python_name: row[f.python_name] for f in fields}
    return cls(owner_id=row["person_id"], **values)


def _lab_result(row: kit.Row) -> LabResult:
    low, high, value = row["reference_low"], row["reference_high"], row["value"]
    return LabResult(
        owner_id=row["person_id"],
        analysis_code=row["analysis_code"],
        analysis_name=row["analysis_name"],
        value=value,
        unit=row["unit"],
        reference_low=low,
        reference_high=high,
        reference_range=_range(low, high),
        outside_reference=(low is not None and value < low)
        or (high is not None and value > high),
        sampled_on=row["sampled_on"],
    )


def resolve_practitioner(root: "HealthRecord") -> GeneralPractitioner | None:
    """The person's own doctor."""
    row = root.row
    return GeneralPractitioner(
        owner_id=root.owner_id,
        name=row["gp_name"],
        clinic=row["gp_clinic"],
        address=row["gp_address"],
        phone=row["gp_phone"],
        provider_number=row["gp_provider_number"],
    )


def resolve_organ_donor(root: "HealthRecord") -> OrganDonorRegistration | None:
    """The person's organ donor registration."""
    return OrganDonorRegistration(
        owner_id=root.owner_id,
        status=OrganDonorStatus(root.row["organ_donor_status"]),
        registered=root.row["organ_donor_registered"],
    )


def resolve_living_will(root: "HealthRecord") -> bool | None:
    """Whether the person has registered a living will."""
    registered: bool = root.row["living_will"]
    return registered


async def resolve_medications(
    root: "HealthRecord", info: Info[HealthContext, None]
) -> list[Medication] | None:
    """The medicine card, newest first."""
    rows = await info.context.medications.load(root.owner_id)
    return [_from_row(Medication, row) for row in rows]


async def resolve_vaccinations(
    root: "HealthRecord", info: Info[HealthContext, None]
) -> list[Vaccination] | None:
    """Vaccinations, oldest first."""
    rows = await info.context.vaccinations.load(root.owner_id)
    return [_from_row(Vaccination, row) for row in rows]


async def resolve_lab_results(
    root: "HealthRecord", info: Info[HealthContext, None]
) -> list[LabResult] | None:
    """Lab results, newest first."""
    rows = await info.context.lab_results.load(root.owner_id)
    return [_lab_result(row) for row in rows]


async def resolve_hospital_records(
    root: "HealthRecord", info: Info[HealthContext, None]
) -> list[HospitalRecord] | None:
    """Hospital contacts, newest first."""
    rows = await info.context.hospital_records.load(root.owner_id)
    return [_from_row(HospitalRecord, row) for row in rows]


async def resolve_referrals(
    root: "HealthRecord", info: Info[HealthContext, None]
) -> list[Referral] | None:
    """Referrals, newest first."""
    rows = await info.context.referrals.load(root.owner_id)
    return [_from_row(Referral, row) for row in rows]


@strawberry.type(description="What the health authorities hold about one person.")
class HealthRecord:
    owner_id: strawberry.Private[str]
    row: strawberry.Private[kit.Row]

    general_practitioner: GeneralPractitioner | None = strawberry.field(
        resolver=resolve_practitioner, extensions=guarded(OWN_RECORD)
    )
    medications: list[Medication] | None = strawberry.field(
        resolver=resolve_medications,
        description="The shared medicine card, newest first.",
        extensions=guarded(SHARED_WITH_CUSTODY),
    )
    vaccinations: list[Vaccination] | None = strawberry.field(
        resolver=resolve_vaccinations,
        description="Vaccinations, oldest first.",
        extensions=guarded(SHARED_WITH_CUSTODY),
    )
    lab_results: list[LabResult] | None = strawberry.field(
        resolver=resolve_lab_results,
        description="Lab results, newest first.",
        extensions=guarded(OWN_RECORD),
    )
    hospital_records: list[HospitalRecord] | None = strawberry.field(
        resolver=resolve_hospital_records,
        description="Hospital contacts, newest first.",
        extensions=guarded(OWN_RECORD),
    )
    referrals: list[Referral] | None = strawberry.field(
        resolver=resolve_referrals,
        description="Referrals, newest first.",
        extensions=guarded(OWN_RECORD),
    )
    organ_donor: OrganDonorRegistration | None = strawberry.field(
        resolver=resolve_organ_donor, extensions=guarded(OWN_RECORD)
    )
    living_will: bool | None = strawberry.field(
        resolver=resolve_living_will,
        description="Whether a living will is registered.",
        extensions=guarded(OWN_RECORD),
    )


async def _record(
    person_id: str, info: Info[HealthContext, None]
) -> HealthRecord | None:
    row = await info.context.records.load(person_id)
    return None if row is None else HealthRecord(owner_id=person_id, row=row)


async def resolve_person_record(
    root: "Person", info: Info[HealthContext, None]
) -> HealthRecord | None:
    """The person's health record."""
    return await _record(str(root.person_id), info)


async def resolve_child_record(
    root: "Child", info: Info[HealthContext, None]
) -> HealthRecord | None:
    """The child's health record."""
    return await _record(str(root.person_id), info)


_RECORD_DESCRIPTION = (
    "The health record: needs a substantial sign-in; the person sees all of it, a "
    "custody holder sees medication and vaccinations until the child turns 15."
)


@strawberry.federation.type(keys=["personId"])
class Person:
    """A person of the civil register; any key resolves (no record, null)."""

    person_id: strawberry.ID
    health_record: HealthRecord | None = strawberry.field(
        resolver=resolve_person_record,
        description=_RECORD_DESCRIPTION,
        extensions=guarded(RECORD),
    )

    @property
    def owner_id(self) -> str:
        """The person owns their own health data."""
        return str(self.person_id)


@strawberry.federation.type(keys=["personId"])
class Child:
    """A child of the signed-in person, as the civil register relates them."""

    person_id: strawberry.ID
    health_record: HealthRecord | None = strawberry.field(
        resolver=resolve_child_record,
        description=_RECORD_DESCRIPTION,
        extensions=guarded(RECORD),
    )

    @property
    def owner_id(self) -> str:
        """The child owns their own health data."""
        return str(self.person_id)
