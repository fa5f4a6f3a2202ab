"""The production image is built from the packages the wheel holds: a package added to setup.cfg but not copied
by the Dockerfile would install a server that fails at its first import (no Docker engine runs in CI)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_image_copies_every_package_the_wheel_installs():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    packages = {line.split(".")[0] for line in config["options.packages.find"]["include"].split()}
    copied = set(re.findall(r"^COPY (\S+) \1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert packages and packages <= copied, sorted(packages - copied)
