"""The tax agency (Skatteforvaltningen) and its monthly income register (eIndkomst)."""
