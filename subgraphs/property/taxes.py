"""The two yearly taxes on an owner-occupied home, from its valuation.

Property value tax (ejendomsværdiskat, Ejendomsværdiskatteloven § 7): 5.1 per
mille of the tax base up to 9,200,000 kr and 14 per mille above. The tax base is
80 % of the public property value, the safety margin the valuation law grants
since 2024. Land tax (grundskyld, Ejendomsskatteloven § 23): the municipality's
rate in per mille on 80 % of the land value. Results are whole kroner.
"""

from decimal import ROUND_HALF_UP, Decimal

TAX_BASE_SHARE = Decimal("0.80")
"""Both taxes are levied on 80 % of the valuation."""

LOW_RATE = Decimal("0.0051")
HIGH_RATE = Decimal("0.014")
THRESHOLD = 9_200_000


def _kroner(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def property_value_tax_base(property_value: int) -> int:
    """The tax base of the property value tax: 80 % of the property value."""
    return _kroner(property_value * TAX_BASE_SHARE)


def property_value_tax(property_value: int) -> int:
    """The yearly property value tax of a home valued at ``property_value``."""
    base = property_value_tax_base(property_value)
    low = min(base, THRESHOLD) * LOW_RATE
    high = max(0, base - THRESHOLD) * HIGH_RATE
    return _kroner(low + high)


def land_tax(land_value: int, rate_per_mille: float | Decimal) -> int:
    """The yearly land tax: ``rate_per_mille`` on 80 % of ``land_value``."""
    rate = Decimal(str(rate_per_mille)) / 1000
    return _kroner(land_value * TAX_BASE_SHARE * rate)
