"""The access matrix of issue 4: every persona against every field of the contract.

One population is seeded once for this module into SQLite files, the citizen
graph is composed and executed as the gateway does it (``CitizenGraph``: our
composer, the federated executor, in-process transports), and each viewer is
built as the gateway builds it, with relations read from the civil register.

For every viewer and every target they can reach (``me``, ``me { spouse }``,
``me { children }``, ``person(personId)`` of the spouse, a child, a parent, a
stranger) one operation selects every field of ``Person``, ``Spouse`` and
``Child`` (and every field of the health record), and each cell is compared with
the tables below. Symbols (see :mod:`tests.auth.matrix`): ``+`` allowed, ``o``
allowed with nothing to show, ``-`` denied with one FORBIDDEN error, ``.`` not a
field of the target's type, ``x`` the whole lookup is NOT_FOUND.

Column names: ``me`` is the viewer; ``me.spouse`` and ``me.<code>`` are the
spouse and a child reached through ``me``; ``@<code>`` is
``person(personId: <code>)``. Person codes: pa parent, sp spouse, tn teen (16),
yc young-child (8), pe pensioner, st student, pr protected, nc non-custodial
parent, nm no-mod11, em emigrated, de deceased, at attorney (the pensioner's
daughter), al the non-custodial parent's daughter (11), ex her mother, gu a
custody holder of pc, a child of 5 under name and address protection.

The rules (issue 4): a citizen sees all of their own data; their spouse's name
and CPR number, not the spouse's income, tax or health; their children's names
and CPR numbers; a custody holder sees a child's vaccinations and medication
until the child turns 15 and nothing of a child's health from 15; a parent
without custody sees no health data; a protected address is shown to nobody but
the person; health data needs assurance level substantial or higher. Everything
else is denied by default, with two decisions of the civil register on top: a
custody holder sees the address of a child under 18 (unless it is protected),
and ``protections`` is the person's own (never null for them, an empty list when
none) so that a spouse does not learn of a protection requested against them.

Acting for someone (``act_for``, columns of the viewers in :data:`ACTING_FOR`)
makes ``me`` that person, and every field is decided for the real viewer: a
parent acting for a child sees what a parent sees of that child, and the
pensioner's daughter, acting with her power of attorney for skat and property,
sees her mother's income, tax and home and nothing else. Without acting for her
mother, the daughter's power grants nothing: the lookup is NOT_FOUND.
"""

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from auth.viewer import AssuranceLevel
from gateway.composition import CitizenGraph
from gateway.settings import Settings
from subgraphs.population import PERSONAS
from subgraphs.registry import load_graph
from subgraphs.seeding import seed
from tests.auth.matrix import (
    ALIAS_PREFIXES,
    PERSONA_CODES,
    CitizenWorld,
    Column,
    Reading,
    aliased_operation,
    cell_names,
    differences,
    grid,
    lookup_operation,
    me_operation,
    merge,
    observe_lookup,
    observe_me,
    person_codes,
    protected_family,
    unknown_id,
)

IN_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
"""The tests share the module's loop, as the seeded graph does."""

CITIZENS = 120
SEED = 2
"""A small population whose random households include a protected child."""

SUBSTANTIAL = AssuranceLevel.SUBSTANTIAL
LOW = AssuranceLevel.LOW

VIEWERS: dict[str, tuple[str, AssuranceLevel, bool, tuple[str, ...]]] = {
    "parent": ("pa", SUBSTANTIAL, True, ("pa", "sp", "tn", "yc", "pr")),
    "spouse": ("sp", SUBSTANTIAL, True, ("sp", "pa", "tn", "yc", "pr")),
    "teen": ("tn", SUBSTANTIAL, True, ("tn", "pa", "yc", "pr")),
    "young-child": ("yc", SUBSTANTIAL, True, ("yc", "pa", "tn", "pr")),
    "pensioner": ("pe", SUBSTANTIAL, True, ("pe", "de", "pr", "at")),
    "student": ("st", SUBSTANTIAL, True, ("st", "pr")),
    "protected": ("pr", SUBSTANTIAL, True, ("pr", "st")),
    "non-custodial-parent": ("nc", SUBSTANTIAL, True, ("nc", "al", "ex", "pr")),
    "no-mod11": ("nm", SUBSTANTIAL, True, ("nm", "pr")),
    "emigrated": ("em", SUBSTANTIAL, True, ("em", "pr")),
    "deceased": ("de", SUBSTANTIAL, True, ("de", "pe", "pr")),
    "attorney": ("at", SUBSTANTIAL, True, ("at", "pe", "de", "pr")),
    "guardian": ("gu", SUBSTANTIAL, False, ("pc",)),
    "parent>yc": ("pa", SUBSTANTIAL, True, ()),
    "parent>tn": ("pa", SUBSTANTIAL, True, ()),
    "parent>yc@low": ("pa", LOW, True, ()),
    "attorney>pe": ("at", SUBSTANTIAL, True, ()),
    "parent@low": ("pa", LOW, True, ("sp", "tn", "yc")),
    **{
        f"{name}@low": (code, LOW, True, ())
        for code, name in PERSONA_CODES.items()
        if code != "pa"
    },
}
"""Viewer label: (person code, assurance, whether ``me`` is read, lookups)."""

ACTING_FOR = {
    "parent>yc": "yc",
    "parent>tn": "tn",
    "parent>yc@low": "yc",
    "attorney>pe": "pe",
}
"""Viewers who act for someone (``act_for``): through custody (the parent for
the young child and the teen) or a power of attorney (the pensioner's daughter
for her mother). ``me`` is then the person acted for."""

ALIASED = [
    "parent",
    "teen",
    "non-custodial-parent",
    "guardian",
    "parent@low",
    "attorney>pe",
]
"""Viewers whose operations are also run with every field under three aliases:
between them every kind of column and every kind of decision."""

# --- the expected matrix ------------------------------------------------------------

SELF = grid("""
field                             pa sp tn yc pe st pr nc nm em de at
personId                          +  +  +  +  +  +  +  +  +  +  +  +
cprNumber                         +  +  +  +  +  +  +  +  +  +  +  +
name                              +  +  +  +  +  +  +  +  +  +  +  +
birthDate                         +  +  +  +  +  +  +  +  +  +  +  +
address                           +  +  +  +  +  +  +  +  +  o  o  +
civilStatus                       +  +  +  +  +  +  +  +  +  +  +  +
status                            +  +  +  +  +  +  +  +  +  +  +  +
protections                       +  +  +  +  +  +  +  +  +  +  +  +
spouse                            +  +  o  o  o  o  o  o  o  o  o  o
children                          +  +  +  +  +  +  +  +  +  +  +  +
parents                           +  +  +  +  +  +  +  +  +  +  +  +
payslips                          +  +  +  +  +  +  +  +  +  +  +  +
taxAssessments                    +  +  +  +  +  +  +  +  +  +  +  +
properties                        +  +  +  +  +  +  +  +  +  +  +  +
healthRecord                      +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.generalPractitioner  +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.medications          +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.vaccinations         +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.labResults           +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.hospitalRecords      +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.referrals            +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.organDonor           +  +  +  +  +  +  +  +  +  o  o  +
healthRecord.livingWill           +  +  +  +  +  +  +  +  +  o  o  +
accessLog                         +  +  +  +  +  +  +  +  +  +  +  +
marriedSince                      .  .  .  .  .  .  .  .  .  .  .  .
hasCustody                        .  .  .  .  .  .  .  .  .  .  .  .
""")
"""``me`` of every persona, signed in at assurance level substantial."""

SELF_LOW = grid("""
field                             pa sp tn yc pe st pr nc nm em de at
personId                          +  +  +  +  +  +  +  +  +  +  +  +
cprNumber                         +  +  +  +  +  +  +  +  +  +  +  +
name                              +  +  +  +  +  +  +  +  +  +  +  +
birthDate                         +  +  +  +  +  +  +  +  +  +  +  +
address                           +  +  +  +  +  +  +  +  +  o  o  +
civilStatus                       +  +  +  +  +  +  +  +  +  +  +  +
status                            +  +  +  +  +  +  +  +  +  +  +  +
protections                       +  +  +  +  +  +  +  +  +  +  +  +
spouse                            +  +  o  o  o  o  o  o  o  o  o  o
children                          +  +  +  +  +  +  +  +  +  +  +  +
parents                           +  +  +  +  +  +  +  +  +  +  +  +
payslips                          +  +  +  +  +  +  +  +  +  +  +  +
taxAssessments                    +  +  +  +  +  +  +  +  +  +  +  +
properties                        +  +  +  +  +  +  +  +  +  +  +  +
healthRecord                      -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.generalPractitioner  -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.medications          -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.vaccinations         -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.labResults           -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.hospitalRecords      -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.referrals            -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.organDonor           -  -  -  -  -  -  -  -  -  -  -  -
healthRecord.livingWill           -  -  -  -  -  -  -  -  -  -  -  -
accessLog                         +  +  +  +  +  +  +  +  +  +  +  +
marriedSince                      .  .  .  .  .  .  .  .  .  .  .  .
hasCustody                        .  .  .  .  .  .  .  .  .  .  .  .
""")
"""``me`` of every persona signed in at assurance level low: no health data."""

FAMILY = grid("""
field                             me.spouse  @sp  me.tn  @tn  me.yc  @yc
personId                          +          +    +      +    +      +
cprNumber                         +          +    +      +    +      +
name                              +          +    +      +    +      +
birthDate                         +          +    +      +    +      +
address                           .          -    .      +    .      +
civilStatus                       .          -    .      -    .      -
status                            .          -    .      -    .      -
protections                       .          -    .      -    .      -
spouse                            .          -    .      -    .      -
children                          .          -    .      -    .      -
parents                           .          -    .      -    .      -
payslips                          .          -    .      -    .      -
taxAssessments                    .          -    .      -    .      -
properties                        .          -    .      -    .      -
healthRecord                      .          -    -      -    +      +
healthRecord.generalPractitioner  .          -    -      -    -      -
healthRecord.medications          .          -    -      -    +      +
healthRecord.vaccinations         .          -    -      -    +      +
healthRecord.labResults           .          -    -      -    -      -
healthRecord.hospitalRecords      .          -    -      -    -      -
healthRecord.referrals            .          -    -      -    -      -
healthRecord.organDonor           .          -    -      -    -      -
healthRecord.livingWill           .          -    -      -    -      -
accessLog                         .          -    .      -    .      +
marriedSince                      +          .    .      .    .      .
hasCustody                        .          .    +      .    +      .
""")
"""The parent's family as the parent sees it (and, with @pa for @sp, the spouse).

The teen is 16: her parents still hold custody (her address) but see none of her
health. The young child is 8: vaccinations and medication, nothing else.
"""

FAMILY_LOW = grid("""
field                             me.spouse  @sp  me.tn  @tn  me.yc  @yc
personId                          +          +    +      +    +      +
cprNumber                         +          +    +      +    +      +
name                              +          +    +      +    +      +
birthDate                         +          +    +      +    +      +
address                           .          -    .      +    .      +
civilStatus                       .          -    .      -    .      -
status                            .          -    .      -    .      -
protections                       .          -    .      -    .      -
spouse                            .          -    .      -    .      -
children                          .          -    .      -    .      -
parents                           .          -    .      -    .      -
payslips                          .          -    .      -    .      -
taxAssessments                    .          -    .      -    .      -
properties                        .          -    .      -    .      -
healthRecord                      .          -    -      -    -      -
healthRecord.generalPractitioner  .          -    -      -    -      -
healthRecord.medications          .          -    -      -    -      -
healthRecord.vaccinations         .          -    -      -    -      -
healthRecord.labResults           .          -    -      -    -      -
healthRecord.hospitalRecords      .          -    -      -    -      -
healthRecord.referrals            .          -    -      -    -      -
healthRecord.organDonor           .          -    -      -    -      -
healthRecord.livingWill           .          -    -      -    -      -
accessLog                         .          -    .      -    .      +
marriedSince                      +          .    .      .    .      .
hasCustody                        .          .    +      .    +      .
""")
"""The parent's family at assurance level low: the young child's health is gone."""

OTHER_CHILDREN = grid("""
field                             me.al  @al  @pc
personId                          +      +    +
cprNumber                         +      +    +
name                              +      +    +
birthDate                         +      +    +
address                           .      -    -
civilStatus                       .      -    -
status                            .      -    -
protections                       .      -    -
spouse                            .      -    -
children                          .      -    -
parents                           .      -    -
payslips                          .      -    -
taxAssessments                    .      -    -
properties                        .      -    -
healthRecord                      -      -    +
healthRecord.generalPractitioner  -      -    -
healthRecord.medications          -      -    +
healthRecord.vaccinations         -      -    +
healthRecord.labResults           -      -    -
healthRecord.hospitalRecords      -      -    -
healthRecord.referrals            -      -    -
healthRecord.organDonor           -      -    -
healthRecord.livingWill           -      -    -
accessLog                         .      -    +
marriedSince                      .      .    .
hasCustody                        +      .    .
""")
"""al (11) seen by her father without custody: name and CPR number, no health, no
address. pc (5, protected) seen by a custody holder: health and the access log as
for any child under 15, but not the protected address."""

ATTORNEY = grid("""
field                             me.pe
personId                          +
cprNumber                         -
name                              -
birthDate                         -
address                           -
civilStatus                       -
status                            -
protections                       -
spouse                            -
children                          -
parents                           -
payslips                          +
taxAssessments                    +
properties                        +
healthRecord                      -
healthRecord.generalPractitioner  -
healthRecord.medications          -
healthRecord.vaccinations         -
healthRecord.labResults           -
healthRecord.hospitalRecords      -
healthRecord.referrals            -
healthRecord.organDonor           -
healthRecord.livingWill           -
accessLog                         -
marriedSince                      .
hasCustody                        .
""")
"""The pensioner as her daughter sees her, acting for her with a power of attorney
for skat and property: income, tax and the home; not the civil register (the
power does not cover it), not health, never the access log."""

NOT_FOUND = {
    ("parent", "@pr"),
    ("spouse", "@pr"),
    ("teen", "@pa"),
    ("teen", "@yc"),
    ("teen", "@pr"),
    ("young-child", "@pa"),
    ("young-child", "@tn"),
    ("young-child", "@pr"),
    ("pensioner", "@de"),
    ("pensioner", "@pr"),
    ("student", "@pr"),
    ("protected", "@st"),
    ("non-custodial-parent", "@ex"),
    ("non-custodial-parent", "@pr"),
    ("no-mod11", "@pr"),
    ("emigrated", "@pr"),
    ("deceased", "@pe"),
    ("deceased", "@pr"),
    ("attorney", "@pe"),
    ("attorney", "@de"),
    ("attorney", "@pr"),
}
"""Lookups that are NOT_FOUND as a whole: a stranger, a parent, a sibling, an ex,
a late husband. Children do not look their parents up; nobody looks up a
stranger; a power of attorney is used only when acting for its grantor."""


def _expected() -> dict[str, dict[str, Column]]:
    table: dict[str, dict[str, Column]] = {label: {} for label in VIEWERS}
    for code, name in PERSONA_CODES.items():
        table[name]["me"] = SELF[code]
        table[f"{name}@low"]["me"] = SELF_LOW[code]
    table["parent"].update(FAMILY)
    table["spouse"].update({"@pa" if k == "@sp" else k: v for k, v in FAMILY.items()})
    table["parent@low"].update(FAMILY_LOW)
    table["spouse@low"].update({k: v for k, v in FAMILY_LOW.items() if k[0] != "@"})
    table["non-custodial-parent"]["me.al"] = OTHER_CHILDREN["me.al"]
    table["non-custodial-parent"]["@al"] = OTHER_CHILDREN["@al"]
    table["non-custodial-parent@low"]["me.al"] = OTHER_CHILDREN["me.al"]
    table["guardian"]["@pc"] = OTHER_CHILDREN["@pc"]
    for parent in ("pensioner", "pensioner@low", "deceased", "deceased@low"):
        table[parent]["me.at"] = OTHER_CHILDREN["me.al"]
    table["parent>yc"]["me"] = FAMILY["@yc"]
    table["parent>tn"]["me"] = FAMILY["@tn"]
    table["parent>yc@low"]["me"] = FAMILY_LOW["@yc"]
    table["attorney>pe"]["me"] = ATTORNEY["me.pe"]
    table["attorney>pe"]["me.home.pe"] = ATTORNEY["me.pe"]
    for code, name in PERSONA_CODES.items():
        table[name][f"@{code}"] = SELF[code]
    table["pensioner"]["@at"] = OTHER_CHILDREN["@al"]
    homes = {
        "parent": {"me.home.pa": SELF["pa"], "me.home.sp": FAMILY["@sp"]},
        "spouse": {"me.home.sp": SELF["sp"], "me.home.pa": FAMILY["@sp"]},
        "pensioner": {"me.home.pe": SELF["pe"]},
        "parent@low": {"me.home.pa": SELF_LOW["pa"], "me.home.sp": FAMILY_LOW["@sp"]},
        "spouse@low": {"me.home.sp": SELF_LOW["sp"], "me.home.pa": FAMILY_LOW["@sp"]},
        "pensioner@low": {"me.home.pe": SELF_LOW["pe"]},
    }
    for viewer, columns in homes.items():
        table[viewer].update(columns)
    for viewer, target in NOT_FOUND:
        table[viewer][target] = "x"
    return table


EXPECTED = _expected()

# --- observing the graph ------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[CitizenWorld]:
    """The citizen graph over one seeded population, for the whole module."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("matrix"))
    graph = CitizenGraph(settings)
    graph.prepare()
    stores = {s.database_name: graph.databases[s.name] for s in load_graph()}
    await seed(stores, CITIZENS, SEED)
    guardian, child = protected_family(CITIZENS, SEED)
    codes = person_codes({"gu": guardian, "pc": child})
    async with graph.executor(settings) as executor:
        yield CitizenWorld(executor, graph.databases["cpr"], codes, unknown_id(SEED))


def _names(world: CitizenWorld) -> list[str]:
    names: list[str] = []
    for type_name in ("Person", "Spouse", "Child"):
        names += [n for n in cell_names(world.schema, type_name) if n not in names]
    return names


async def _read(world: CitizenWorld, label: str, aliased: bool = False) -> Reading:
    """Every column of viewer ``label``; with ``aliased``, every copy of it."""
    code, assurance, reads_me, lookups = VIEWERS[label]
    viewer = await world.viewer(code, assurance, ACTING_FOR.get(label))
    names = _names(world)
    schema = world.schema
    prefixes = ("", *ALIAS_PREFIXES) if aliased else ("",)
    parts = []
    if reads_me:
        query = aliased_operation(schema, "me") if aliased else me_operation(schema)
        response = await world.run(viewer, query)
        parts.append(observe_me(response, names, schema, world.codes, prefixes))
    for target in lookups:
        query = aliased_operation(schema, "@") if aliased else lookup_operation(schema)
        response = await world.run(viewer, query, {"id": world.codes[target]})
        parts.append(observe_lookup(response, names, schema, target, prefixes))
    return merge(parts)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def observed(world: CitizenWorld) -> dict[str, Reading]:
    """The whole matrix as the graph answers it."""
    return {label: await _read(world, label) for label in VIEWERS}


# --- the tests ----------------------------------------------------------------------


def test_the_tables_name_every_field_of_the_contract(world: CitizenWorld) -> None:
    names = _names(world)
    for table in (SELF, SELF_LOW, FAMILY, FAMILY_LOW, OTHER_CHILDREN, ATTORNEY):
        for cells in table.values():
            assert list(cells) == names


def test_the_matrix_covers_every_persona() -> None:
    assert set(PERSONA_CODES.values()) == {p.name for p in PERSONAS}
    assert set(PERSONA_CODES.values()) <= set(VIEWERS)
    assert all(EXPECTED[label] for label in VIEWERS)


@IN_MODULE_LOOP
@pytest.mark.parametrize("label", list(VIEWERS))
async def test_each_cell_is_allowed_or_denied_as_the_rules_say(
    observed: dict[str, Reading], label: str
) -> None:
    reading = observed[label]

    assert differences(EXPECTED[label], reading.columns) == []
    assert reading.stray == []


@IN_MODULE_LOOP
@pytest.mark.parametrize("label", ALIASED)
async def test_aliases_and_fragments_do_not_change_a_decision(
    world: CitizenWorld, label: str
) -> None:
    reading = await _read(world, label, aliased=True)

    for prefix in ("", *ALIAS_PREFIXES):
        assert differences(EXPECTED[label], reading.copies[prefix]) == [], prefix
    assert reading.stray == []


@IN_MODULE_LOOP
async def test_a_denied_lookup_answers_as_an_unknown_person(
    world: CitizenWorld,
) -> None:
    query = lookup_operation(world.schema)
    for viewer_label, target in sorted(NOT_FOUND):
        code, assurance, _, _ = VIEWERS[viewer_label]
        viewer = await world.viewer(code, assurance)
        denied = await world.run(viewer, query, {"id": world.codes[target[1:]]})
        unknown = await world.run(viewer, query, {"id": world.unknown})

        assert denied == unknown, (viewer_label, target)
        assert unknown["data"] == {"person": None}
        assert [e["extensions"]["code"] for e in unknown["errors"]] == ["NOT_FOUND"]


@IN_MODULE_LOOP
async def test_a_high_sign_in_sees_what_a_substantial_one_sees(
    world: CitizenWorld, observed: dict[str, Reading]
) -> None:
    viewer = await world.viewer("pa", AssuranceLevel.HIGH)
    response = await world.run(viewer, me_operation(world.schema))
    reading = observe_me(response, _names(world), world.schema, world.codes)

    expected = {k: v for k, v in observed["parent"].columns.items() if k[0] != "@"}
    assert reading.columns == expected
    assert reading.stray == []


@IN_MODULE_LOOP
async def test_the_protected_childs_address_is_hidden_for_its_protection(
    world: CitizenWorld,
) -> None:
    viewer = await world.viewer("gu", SUBSTANTIAL)
    query = (
        "query ($id: ID!) { person(personId: $id) "
        "{ protections { kind } address { city } } }"
    )

    body = await world.run(viewer, query, {"id": world.codes["pc"]})
    own = await world.run(
        await world.viewer("pc", SUBSTANTIAL), query, {"id": world.codes["pc"]}
    )

    assert viewer.relations.child(world.codes["pc"]) is not None
    assert body["data"]["person"] == {"protections": None, "address": None}
    assert sorted(e["path"][1] for e in body["errors"]) == ["address", "protections"]
    assert {"kind": "NAME_ADDRESS"} in own["data"]["person"]["protections"]
