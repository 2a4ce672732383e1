"""The civil register (CPR): people, names, addresses, civil status and family."""
