"""Places, names and employers that the synthetic population is drawn from.

Postcodes, postal districts and municipalities are real and taken together, so that
an address always agrees with itself (the Danish address register's rule); the tax
rates are realistic 2026 rates. Names and employers are common Danish words put
together; no real person or company is meant.
"""

from dataclasses import dataclass

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality with its 2026 tax rates.

    Attributes:
        code: the three-digit municipality code, e.g. ``"101"``.
        name: the municipality's name.
        municipal_tax_rate: the municipal income tax as a fraction (0.2350).
        church_tax_rate: the church tax as a fraction (0.0080).
        land_tax_rate: the land tax in per mille of the taxable land value (7.0).
    """

    code: str
    name: str
    municipal_tax_rate: float
    church_tax_rate: float
    land_tax_rate: float


def _m(code: str, name: str, tax: float, church: float, land: float) -> Municipality:
    return Municipality(code, name, tax / 100, church / 100, land)


MUNICIPALITIES: dict[str, Municipality] = {
    m.code: m
    for m in (
        _m("101", "København", 23.39, 0.80, 5.1),
        _m("147", "Frederiksberg", 22.80, 0.50, 4.4),
        _m("151", "Ballerup", 25.50, 0.78, 16.0),
        _m("157", "Gentofte", 24.14, 0.42, 3.4),
        _m("169", "Høje-Taastrup", 24.60, 0.80, 18.0),
        _m("173", "Lyngby-Taarbæk", 23.70, 0.48, 4.6),
        _m("175", "Rødovre", 25.80, 0.80, 17.0),
        _m("217", "Helsingør", 25.82, 0.69, 9.6),
        _m("219", "Hillerød", 25.60, 0.73, 8.7),
        _m("259", "Køge", 25.26, 0.81, 9.9),
        _m("265", "Roskilde", 25.20, 0.50, 7.0),
        _m("330", "Slagelse", 25.30, 1.00, 11.6),
        _m("370", "Næstved", 25.40, 0.90, 12.1),
        _m("376", "Guldborgsund", 25.80, 1.19, 14.9),
        _m("400", "Bornholm", 26.20, 1.02, 13.8),
        _m("461", "Odense", 25.50, 0.73, 12.2),
        _m("479", "Svendborg", 25.80, 0.97, 12.8),
        _m("510", "Haderslev", 26.30, 1.02, 10.9),
        _m("540", "Sønderborg", 25.30, 0.98, 12.0),
        _m("561", "Esbjerg", 25.20, 0.72, 11.2),
        _m("580", "Aabenraa", 25.50, 1.06, 11.5),
        _m("607", "Fredericia", 25.30, 0.86, 13.4),
        _m("615", "Horsens", 25.40, 0.89, 10.4),
        _m("621", "Kolding", 25.30, 0.74, 9.3),
        _m("630", "Vejle", 23.40, 0.77, 11.7),
        _m("657", "Herning", 24.60, 0.96, 9.6),
        _m("661", "Holstebro", 25.00, 1.05, 10.1),
        _m("730", "Randers", 25.70, 0.96, 12.7),
        _m("740", "Silkeborg", 25.00, 0.89, 10.8),
        _m("751", "Aarhus", 24.52, 0.74, 6.3),
        _m("791", "Viborg", 25.20, 0.98, 12.2),
        _m("813", "Frederikshavn", 26.20, 1.15, 15.0),
        _m("851", "Aalborg", 25.60, 0.98, 8.8),
        _m("860", "Hjørring", 26.00, 1.13, 13.5),
    )
}
"""Municipalities by code; rates are those the 2026 assessments use."""

POSTCODES: tuple[tuple[str, str, str], ...] = (
    ("1050", "København K", "101"),
    ("1150", "København K", "101"),
    ("1620", "København V", "101"),
    ("2100", "København Ø", "101"),
    ("2200", "København N", "101"),
    ("2300", "København S", "101"),
    ("2450", "København SV", "101"),
    ("2500", "Valby", "101"),
    ("2700", "Brønshøj", "101"),
    ("1800", "Frederiksberg C", "147"),
    ("2000", "Frederiksberg", "147"),
    ("2750", "Ballerup", "151"),
    ("2900", "Hellerup", "157"),
    ("2820", "Gentofte", "157"),
    ("2630", "Taastrup", "169"),
    ("2800", "Kongens Lyngby", "173"),
    ("2610", "Rødovre", "175"),
    ("3000", "Helsingør", "217"),
    ("3400", "Hillerød", "219"),
    ("4600", "Køge", "259"),
    ("4000", "Roskilde", "265"),
    ("4200", "Slagelse", "330"),
    ("4700", "Næstved", "370"),
    ("4800", "Nykøbing F", "376"),
    ("3700", "Rønne", "400"),
    ("5000", "Odense C", "461"),
    ("5200", "Odense V", "461"),
    ("5220", "Odense SØ", "461"),
    ("5700", "Svendborg", "479"),
    ("6100", "Haderslev", "510"),
    ("6400", "Sønderborg", "540"),
    ("6700", "Esbjerg", "561"),
    ("6200", "Aabenraa", "580"),
    ("7000", "Fredericia", "607"),
    ("8700", "Horsens", "615"),
    ("6000", "Kolding", "621"),
    ("7100", "Vejle", "630"),
    ("7400", "Herning", "657"),
    ("7500", "Holstebro", "661"),
    ("8900", "Randers C", "730"),
    ("8600", "Silkeborg", "740"),
    ("8000", "Aarhus C", "751"),
    ("8200", "Aarhus N", "751"),
    ("8210", "Aarhus V", "751"),
    ("8800", "Viborg", "791"),
    ("9900", "Frederikshavn", "813"),
    ("9000", "Aalborg", "851"),
    ("9200", "Aalborg SV", "851"),
    ("9800", "Hjørring", "860"),
)
"""Real (postcode, postal district, municipality code) triples."""

URBAN = frozenset({"101", "147", "751", "461", "851"})
PRICE_PER_M2 = {"101": 52_000, "147": 55_000, "157": 58_000, "173": 42_000}

STREETS = (
    "Nørregade", "Østergade", "Vestergade", "Søndergade", "Algade", "Kirkevej",
    "Skolevej", "Stationsvej", "Møllevej", "Bakkevej", "Engvej", "Skovvej",
    "Birkevej", "Egevej", "Bøgevej", "Lindevej", "Rosenvænget", "Havnegade",
    "Strandvejen", "Parkvej", "Vænget", "Grønnegade", "Torvegade", "Fasanvej",
    "Kastanie Allé", "Solsikkevej", "Tjørnevej", "Violvej", "Mågevej", "Ahornvej",
)  # fmt: skip
MALE_NAMES = (
    "Peter", "Jens", "Lars", "Michael", "Henrik", "Søren", "Thomas", "Anders",
    "Niels", "Jan", "Martin", "Morten", "Rasmus", "Jesper", "Mads", "Christian",
    "Frederik", "Mikkel", "Kasper", "Jakob", "Emil", "Oliver", "William", "Noah",
    "Lucas", "Carl", "Oscar", "Victor", "Magnus", "Alfred", "Poul", "Erik",
)  # fmt: skip
FEMALE_NAMES = (
    "Anne", "Kirsten", "Mette", "Hanne", "Anna", "Helle", "Susanne", "Lene",
    "Maria", "Marianne", "Lone", "Camilla", "Pia", "Louise", "Charlotte", "Tina",
    "Julie", "Sofie", "Emma", "Ida", "Freja", "Clara", "Laura", "Alma", "Ella",
    "Karla", "Agnes", "Astrid", "Inge", "Birthe", "Karen", "Signe",
)  # fmt: skip
LAST_NAMES = (
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
    "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen",
    "Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen",
    "Knudsen", "Jakobsen", "Mikkelsen", "Østergaard", "Frederiksen", "Bertelsen",
)  # fmt: skip
MIDDLE_NAMES = (
    "Holm", "Juul", "Kjær", "Skov", "Dam", "Lund", "Bach", "Vestergaard", "Krogh",
    "Due", "Winther", "Brandt", "Munk", "Bjerre", "Lykke", "Hedegaard",
)  # fmt: skip
EMPLOYER_WORDS = (
    "Nordlys", "Fjord", "Kyst", "Bølge", "Lyng", "Ege", "Sten", "Havblik",
    "Solhjul", "Vindrose", "Klit", "Skovly", "Tårn", "Engblomst", "Ravn", "Mølle",
)  # fmt: skip
EMPLOYER_TRADES = (
    "Logistik ApS", "Rådgivning A/S", "Byg ApS", "Data A/S", "Revision I/S",
    "Handel A/S", "Maskinfabrik A/S", "Regionshospital", "Kommune, Skoleforvaltning",
    "Software ApS", "Transport A/S", "Bageri ApS",
)  # fmt: skip
HEATING = ("district heating", "heat pump", "natural gas", "oil", "wood pellets")
DOORS = ("tv", "th", "mf")


def _cvr(serial: int) -> str:
    """An 8-digit company number passing modulus 11, derived from ``serial``."""
    base = 10_000_000 + serial * 97 % 89_000_000
    while True:
        digits = [int(c) for c in f"{base:08d}"]
        if sum(w * x for w, x in zip(CVR_WEIGHTS, digits, strict=True)) % 11 == 0:
            return f"{base:08d}"
        base += 1


@dataclass(frozen=True, slots=True)
class Employer:
    cvr: str
    name: str


EMPLOYERS = tuple(
    Employer(_cvr(1 + i * 7919), f"{word} {trade}")
    for i, (word, trade) in enumerate(
        (w, t) for w in EMPLOYER_WORDS for t in EMPLOYER_TRADES
    )
)
