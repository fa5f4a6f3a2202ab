"""`python -m server.cli ...`: `jobboard ...` without the console script installed."""

import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main())
