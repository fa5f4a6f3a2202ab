"""`jobboard`: the one command of the job board, a subcommand per job (one module each beside this file).

Every subcommand reads the app's settings (environment) and logs JSON lines to stderr (indexer/command_line.py).
`python -m server`, `python -m indexer`, `python -m server.moderation` and `python -m server.payments` are
the older spellings of serve, index, moderation and payments.
"""

from __future__ import annotations

import argparse

from indexer import command as index
from indexer import command_line as common
from server.cli import demo, moderation, payments, serve

SUBCOMMANDS = (serve, index, moderation, payments, demo)


def parser() -> argparse.ArgumentParser:
    jobboard = argparse.ArgumentParser(prog="jobboard", description=__doc__,
                                       formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = jobboard.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(commands)
    return jobboard


def main(argv: list[str] | None = None) -> int:
    """The console script `jobboard` (setup.cfg); returns the exit code."""
    return common.run(parser().parse_args(argv))
