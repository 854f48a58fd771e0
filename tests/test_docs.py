"""The README documents every command, and its two fresh-machine commands are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    for name in main.commands:
        assert f"kg {name}" in README, f"`kg {name}` is not documented in README.md"


def test_readme_commands_exist_and_ci_runs_the_test_command():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert "bash scripts/run.sh\n" in blocks and "bash scripts/test.sh\n" in blocks
    assert (ROOT / "scripts" / "run.sh").is_file() and (ROOT / "scripts" / "test.sh").is_file()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_data_term_is_documented():
    from kg.terms import TERMS

    data_readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    missing = [name for name in TERMS if f"`{name}`" not in data_readme]
    assert not missing, f"data/README.md does not document: {', '.join(missing)}"
