"""Reference data: the versioned rules, thresholds and policies shipped here (``*.toml``, ``targets.csv``), and what
data managers upload (targets, reference populations, sample frames, programme registers, the reporting communes
owe)."""
