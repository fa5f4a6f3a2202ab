"""`python -m server.moderation ...`: the older spelling of `jobboard moderation` (server/cli/moderation.py)."""

import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main(["moderation", *sys.argv[1:]]))
