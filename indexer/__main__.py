"""`python -m indexer ...`: the older spelling of `jobboard index` (server/cli/index.py). The one import from
indexer up into server, allowed by name in setup.cfg's layers contract: the command lives with the others."""

import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main(["index", *sys.argv[1:]]))
