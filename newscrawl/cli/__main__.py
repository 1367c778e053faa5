"""``python -m newscrawl.cli``."""

import sys

from newscrawl.cli import main

sys.exit(main())
