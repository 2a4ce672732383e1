"""The synthetic population: every authority's demo and test data comes from here.

:func:`generate` builds a deterministic world of households from ``(citizens,
seed)``: married couples with children and custody, divorced parents living apart,
widows and widowers, students, pensioners, the emigrated and the dead, renters and
home owners (couples own 1/2 each). It knows no database; each authority's
``seed.rows`` turns households into rows.

Everything follows the rules of the civil register (see DOMAIN.md): CPR numbers in
the substitute form (day + 60, so that no number can belong to a real person), with
the century digit and the sex parity right, and modulus 11 for everyone born before
October 2007; postcodes, cities and municipalities taken together from a table of
real triples. The named personas come first, with fixed ids that do not depend on
``citizens`` or ``seed``.
"""

import random
from collections.abc import Iterator

from subgraphs.citizens import (
    OLD_AGE_PENSION_COUPLE,
    OLD_AGE_PENSION_SINGLE,
    PERSONAS,
    SU_GRANT,
    TODAY,
    UNEMPLOYMENT_BENEFIT,
    Address,
    Citizen,
    Employment,
    Home,
    Household,
    Ownership,
    Persona,
    PowerGrant,
    UnknownPersona,
    persona,
)
from subgraphs.families import (
    KIND_FUNCTIONS,
    KIND_WEIGHTS,
    World,
    filler,
    persona_households,
)
from subgraphs.gazetteer import Municipality

__all__ = [
    "OLD_AGE_PENSION_COUPLE",
    "OLD_AGE_PENSION_SINGLE",
    "PERSONAS",
    "SU_GRANT",
    "TODAY",
    "UNEMPLOYMENT_BENEFIT",
    "Address",
    "Citizen",
    "Employment",
    "Home",
    "Household",
    "Municipality",
    "Ownership",
    "Persona",
    "PowerGrant",
    "UnknownPersona",
    "citizens_of",
    "generate",
    "persona",
]


def generate(
    citizens: int, seed: int, chunk_size: int = 5000
) -> Iterator[list[Household]]:
    """The population of ``citizens`` people, in chunks of about ``chunk_size``.

    Deterministic in ``(citizens, seed)`` and independent of ``chunk_size``; the
    personas and their families come first, in the first chunk, and are part of the
    count (a population never holds fewer people than the personas).

    Args:
        citizens: how many people to generate.
        seed: the seed of every random choice.
        chunk_size: citizens per chunk; households are never split.

    Yields:
        Lists of households whose members number about ``chunk_size``.
    """
    if citizens < 0 or chunk_size < 1:
        raise ValueError("citizens must be 0 or more and chunk_size 1 or more.")
    world = World(seed=seed)
    chunk = persona_households(world)
    count = sum(len(h.members) for h in chunk)
    size = count
    index = 0
    while count < citizens:
        rng = random.Random(seed * 4_294_967_296 + index)
        index += 1
        kind = rng.choices(KIND_FUNCTIONS, KIND_WEIGHTS)[0]
        households = kind(rng, world)
        people = sum(len(h.members) for h in households)
        if count + people > citizens:
            households = filler(rng, world, citizens - count)
            people = citizens - count
        chunk.extend(households)
        count += people
        size += people
        if size >= chunk_size:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def citizens_of(chunks: Iterator[list[Household]]) -> Iterator[Citizen]:
    """Every citizen of ``chunks``, in order."""
    for chunk in chunks:
        for household in chunk:
            yield from household.members
