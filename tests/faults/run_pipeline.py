"""``python -m tests.faults.run_pipeline CENTRAL_URL WAREHOUSE_URL UPLOADS PAGE_SIZE SESSIONS``: the household-survey
pipeline once (its Central session kept in the folder SESSIONS), in a process of its own that a test can kill. Prints ``ready`` when it starts the work, ``done`` at the end."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.faults.harness import materialize, source


def main() -> None:
    central, warehouse, uploads, page_size, sessions = sys.argv[1:6]
    print("ready", flush=True)
    result = materialize(warehouse, source(central, page_size=int(page_size), session_dir=sessions), Path(uploads))
    print("done" if result.success else "failed", flush=True)


if __name__ == "__main__":
    main()
