"""Every indicator of the programme's catalogue against the targets of the plans."""
