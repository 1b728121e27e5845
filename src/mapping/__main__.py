"""Run the command line with ``python -m mapping``."""

from mapping.cli import main

raise SystemExit(main())
