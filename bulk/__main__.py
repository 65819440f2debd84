"""``python -m bulk score INPUT OUTPUT ...``: the same command as ``toxicity score``."""

from bulk.cli import main

raise SystemExit(main())
