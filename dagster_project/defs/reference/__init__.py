"""Reference data: administrative units (old and new), targets of the plans, reference populations,
survey sample frames."""
