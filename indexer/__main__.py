"""`python -m indexer ...`: the older spelling of `jobboard index` (indexer/command.py)."""

import argparse
import sys

from indexer import command, command_line


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jobboard")  # its usage line is the one command's
    command.add_parser(parser.add_subparsers(dest="command", required=True))
    return command_line.run(parser.parse_args(["index", *argv]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
