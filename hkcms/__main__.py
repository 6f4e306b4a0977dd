"""Entry point for `python -m hkcms`."""

from hkcms.cli import main

raise SystemExit(main())
