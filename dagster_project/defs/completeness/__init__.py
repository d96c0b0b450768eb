"""Completeness and timeliness of reporting: who has reported, who is late, who is missing."""
