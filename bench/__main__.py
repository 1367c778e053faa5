"""``python -m bench``: newscrawl against bare Scrapy on the same replica (see bench/runner.py)."""

import sys

from bench.runner import main

sys.exit(main())
