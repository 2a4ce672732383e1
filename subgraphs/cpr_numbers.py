"""CPR numbers: the century, sex and modulus 11 rules, and synthetic numbers.

A CPR number is ``DDMMYY-SSSS``. The 7th digit together with the two-digit year
gives the century; the last digit is odd for men and even for women; numbers issued
before October 2007 pass modulus 11, later ones may not. Synthetic people get the
substitute form, day + 60, which no real person can hold (DOMAIN.md, "CPR numbers").
"""

from datetime import date

MOD11_SINCE = date(2007, 10, 1)
"""Numbers of people born from this day may fail the modulus 11 check."""

MOD11_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def century_digits(year: int) -> tuple[int, ...]:
    """The 7th digits a CPR number of someone born in ``year`` may carry."""
    yy = year % 100
    if 1900 <= year <= 1999:
        return (0, 1, 2, 3, 4, 9) if yy >= 37 else (0, 1, 2, 3)
    if 2000 <= year <= 2036:
        return (4, 5, 6, 7, 8, 9)
    if 2037 <= year <= 2057:
        return (5, 6, 7, 8)
    if 1858 <= year <= 1899:
        return (5, 6, 7, 8)
    raise ValueError(f"A CPR number cannot encode the birth year {year}.")


def birth_year(yy: int, seventh: int) -> int:
    """The full birth year of two-digit year ``yy`` and 7th digit ``seventh``."""
    if seventh <= 3:
        return 1900 + yy
    if seventh in (4, 9):
        return (2000 if yy <= 36 else 1900) + yy
    if yy <= 36:
        return 2000 + yy
    return (2000 if yy <= 57 else 1800) + yy


def _digits(cpr: str) -> list[int]:
    digits = cpr.replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        raise ValueError(f"{cpr!r} is not a CPR number of ten digits.")
    return [int(d) for d in digits]


def birth_date_from_cpr(cpr: str) -> date:
    """The birth date a CPR number encodes; substitute days (61 to 91) are undone."""
    d = _digits(cpr)
    day = d[0] * 10 + d[1]
    day = day - 60 if day > 60 else day
    year = birth_year(d[4] * 10 + d[5], d[6])
    return date(year, d[2] * 10 + d[3], day)


def sex_from_cpr(cpr: str) -> str:
    """``"M"`` for an odd last digit, ``"F"`` for an even one."""
    return "M" if _digits(cpr)[9] % 2 else "F"


def passes_mod11(cpr: str) -> bool:
    """True when the weighted digit sum of ``cpr`` is divisible by 11.

    Numbers issued since October 2007 may fail this check; it says nothing about
    whether a number is valid.
    """
    d = _digits(cpr)
    return sum(w * x for w, x in zip(MOD11_WEIGHTS, d, strict=True)) % 11 == 0


def is_substitute(cpr: str) -> bool:
    """True when ``cpr`` is in the substitute form (day + 60) of synthetic people."""
    d = _digits(cpr)
    return 61 <= d[0] * 10 + d[1] <= 91


class CprIssuer:
    """Hands out unique substitute-form CPR numbers, deterministically.

    Per birth date and sex a cursor walks the possible serials in a fixed scrambled
    order, skipping those that break the century, sex or modulus 11 rules.
    """

    def __init__(self) -> None:
        self._cursors: dict[tuple[date, str], int] = {}

    def issue(self, birth: date, sex: str, mod11: bool | None = None) -> str:
        """A new number; ``mod11`` None means the rule of the birth date."""
        need_mod11 = birth < MOD11_SINCE if mod11 is None else mod11
        allowed = century_digits(birth.year)
        total = len(allowed) * 100
        key = (birth, sex)
        k = self._cursors.get(key, 0)
        prefix = f"{birth.day + 60:02d}{birth.month:02d}{birth.year % 100:02d}"
        head = sum(w * int(c) for w, c in zip(MOD11_WEIGHTS, prefix, strict=False))
        start = (birth.toordinal() * 7 + (sex == "M")) % total
        parity = 1 if sex == "M" else 0
        while k < total:
            index = (start + k * 37) % total
            k += 1
            serial = allowed[index // 100] * 100 + index % 100
            weighted = (
                head + 4 * (serial // 100) + 3 * (serial // 10 % 10) + 2 * (serial % 10)
            )
            if mod11 is False or not need_mod11:
                last = (index * 3 % 5) * 2 + parity
                if mod11 is False and (weighted + last) % 11 == 0:
                    last = (last + 2) % 10
            else:
                last = -weighted % 11
                if last == 10 or last % 2 != parity:
                    continue
            self._cursors[key] = k
            return f"{prefix}-{serial:03d}{last}"
        raise RuntimeError(f"No CPR serials are left for births on {birth}.")
