"""Names as the civil register writes them."""

ADDRESSING_NAME_LENGTH = 34
"""The longest addressing name the register holds (the width of an envelope)."""


def addressing_name(first_names: str, middle_name: str | None, last_name: str) -> str:
    """The name to address letters to, at most 34 characters.

    The full name when it fits; otherwise the second and later first names become
    initials, then the middle name does, and as a last resort the first name too.
    """
    firsts = first_names.split()
    middle = [middle_name] if middle_name else []
    candidates = [
        [*firsts, *middle, last_name],
        [firsts[0], *(f"{n[0]}." for n in firsts[1:]), *middle, last_name],
        [firsts[0], *(f"{n[0]}." for n in firsts[1:] + middle), last_name],
        [*(f"{n[0]}." for n in firsts + middle), last_name],
    ]
    for parts in candidates:
        name = " ".join(parts)
        if len(name) <= ADDRESSING_NAME_LENGTH:
            return name
    return " ".join(candidates[-1])[:ADDRESSING_NAME_LENGTH]
