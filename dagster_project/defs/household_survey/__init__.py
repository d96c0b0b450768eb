"""Household survey: raw submissions → households and children → classification → indicators 1.1 and 1.1h."""
