"""Fixtures of the Python package's tests: the repository's scenarios and the command line
to compare with (``PIMSIM_CLI``, else ``target/release/pimsim`` of the repository; build it
with ``cargo build --release``)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Callable, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def scenarios() -> Path:
    return SCENARIOS


@pytest.fixture(scope="session")
def cli_path() -> Path:
    given = os.environ.get("PIMSIM_CLI")
    if given:
        path = Path(given)
    else:
        target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        path = target / "release" / "pimsim"
    if not path.is_file():
        pytest.fail(
            f"the command line {path} is missing: these tests compare with it; build it with "
            "`cargo build --release` at the repository's root, or set PIMSIM_CLI"
        )
    return path


@pytest.fixture()
def cli(cli_path: Path, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """``cli("run", "x.toml", "--out", d)``: the command line in ``tmp_path``, checked."""

    def call(*args: object, check: bool = True) -> subprocess.CompletedProcess:
        argv: List[str] = [str(cli_path), *(str(a) for a in args)]
        done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"{argv} exited {done.returncode}: {done.stderr}")
        return done

    return call


def files_of(directory: Path) -> dict:
    """Every file of a directory (name → bytes), pimsim's marker included."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}
