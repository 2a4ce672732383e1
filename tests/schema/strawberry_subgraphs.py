"""Two small Strawberry federation subgraphs, printed with ``schema.as_str()``."""

import strawberry
from strawberry.federation.schema_directives import Policy


@strawberry.federation.type(keys=["isbn"])
class Book:
    """A book in the library."""

    isbn: strawberry.ID
    title: str = strawberry.federation.field(shareable=True)
    pages: int | None = strawberry.federation.field(
        directives=[Policy(policies=[["librarian"]])]
    )


@strawberry.type
class CatalogQuery:
    @strawberry.field
    def books(self) -> list[Book]:
        """Every book."""
        return []


@strawberry.federation.type(keys=["isbn"])
class LoanedBook:
    isbn: strawberry.ID
    title: str = strawberry.federation.field(shareable=True)
    on_loan: bool = strawberry.federation.field(name="onLoan")


@strawberry.federation.type(keys=["loanId"])
class Loan:
    loan_id: strawberry.ID
    due: str
    book: LoanedBook


@strawberry.type
class LoansQuery:
    @strawberry.field
    def loans(self, borrower: strawberry.ID) -> list[Loan]:
        """The loans of one borrower."""
        return []


def catalog_sdl() -> str:
    """The SDL of the catalog subgraph."""
    return strawberry.federation.Schema(
        query=CatalogQuery, federation_version="2.7"
    ).as_str()


def loans_sdl() -> str:
    """The SDL of the loans subgraph, where the book type has another name."""
    schema = strawberry.federation.Schema(query=LoansQuery, federation_version="2.7")
    return schema.as_str().replace("LoanedBook", "Book")
