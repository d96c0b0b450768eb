"""Case management: the case forms' cleaning, matching reports to cases, the case register and workflow, the case
list collectors pick from, the commune registers."""
