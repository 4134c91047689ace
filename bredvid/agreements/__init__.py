"""Agreements (uppdragsavtal): versions generated as PDF from the municipality template,
signed by the SHA-256 of the exact file."""
