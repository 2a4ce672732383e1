"""Property: the building register, the cadastre, ownership and valuation."""
