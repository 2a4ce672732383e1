import pytest

from subgraphs.property import taxes


def test_the_domain_land_tax() -> None:
    assert taxes.land_tax(1_200_000, 7.0) == 6_720


@pytest.mark.parametrize(
    ("property_value", "base", "tax"),
    [
        (3_800_000, 3_040_000, 15_504),
        (11_500_000, 9_200_000, 46_920),
        (12_000_000, 9_600_000, 46_920 + 5_600),
        (0, 0, 0),
    ],
)
def test_property_value_tax_is_progressive_above_9_2_million(
    property_value: int, base: int, tax: int
) -> None:
    assert taxes.property_value_tax_base(property_value) == base
    assert taxes.property_value_tax(property_value) == tax


@pytest.mark.parametrize(("rate", "tax"), [(3.4, 3_264), (18.0, 17_280), (5.1, 4_896)])
def test_land_tax_follows_the_municipal_rate(rate: float, tax: int) -> None:
    assert taxes.land_tax(1_200_000, rate) == tax
