"""`python -m server.payments ...`: the older spelling of `jobboard payments` (server/cli/payments.py)."""

import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main(["payments", *sys.argv[1:]]))
