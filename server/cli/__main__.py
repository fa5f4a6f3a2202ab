"""`python -m server.cli ...`: `jobboard ...` without the console script installed."""

import sys

from server.cli import main

sys.exit(main())
