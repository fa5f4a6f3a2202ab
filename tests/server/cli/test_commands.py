"""`jobboard`: the console script setup.cfg declares, each subcommand's help, a section named where it matters,
and the older `python -m` spellings still running the same command."""

from __future__ import annotations

import configparser
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest

from server.cli import main
from tests.helpers.processes import server_env

ROOT = Path(__file__).resolve().parents[3]
SUBCOMMANDS = ("serve", "index", "moderation", "payments", "demo")


def test_setup_cfg_declares_the_jobboard_console_script():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options.entry_points"]["console_scripts"].strip().splitlines()
    scripts = {name.strip(): target.strip() for name, _, target in (line.partition("=") for line in lines)}
    module, function = scripts["jobboard"].split(":")
    assert getattr(import_module(module), function) is main  # what the installed script runs


def test_jobboard_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: jobboard")
    assert all(f"    {name} " in out or f"    {name}\n" in out for name in SUBCOMMANDS), out


@pytest.mark.parametrize("argv", [[name, "--help"] for name in SUBCOMMANDS]
                         + [["index", action, "--help"] for action in ("create", "reindex", "sync", "check", "dsl",
                                                                      "relevance")]
                         + [["moderation", action, "--help"] for action in ("reports", "takedown", "ban", "hot-block")]
                         + [["payments", "reconcile", "--help"]])
def test_each_subcommand_has_its_help(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: jobboard {' '.join(argv[:-1])}")


@pytest.mark.parametrize("argv", [
    ["moderation", "takedown", "7", "--by", "li", "--reason", "fraud"],
    ["moderation", "restore", "7", "--by", "li", "--reason", "unfounded"],
    ["index", "dsl", "{}"],
])
def test_a_section_is_required_where_one_posting_or_one_listing_is_meant(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert "the following arguments are required: --section" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["moderation", "reports", "--help"], ["index", "reindex", "--help"]])
def test_where_every_section_makes_sense_the_help_says_so(argv, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert "(default: every section in turn)" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("module, subcommand", [("server", "serve"), ("indexer", "index"),
                                                ("server.moderation", "moderation"), ("server.payments", "payments")])
def test_the_older_python_m_forms_run_the_same_command(module, subcommand):
    done = subprocess.run([sys.executable, "-m", module, "--help"], env=server_env(), cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: jobboard {subcommand}")


def test_a_configuration_error_is_one_line_and_exit_2(tmp_path):
    env = server_env(APP_ENV="production", DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "server.cli", "moderation", "audit"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("jobboard moderation: configuration error: refusing to start in production")
    assert "Traceback" not in done.stderr
