"""Health: the general practitioner, medicine card, vaccinations and records."""
