"""The README's examples run as tests: each `thaadsim ...` line of its Examples block
exits 0, and its Python example runs."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def _examples() -> list[str]:
    section = README.split("## Examples", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the README has an Examples bash block"
    return [line for line in block.group(1).splitlines() if line.startswith("thaadsim ")]


def test_readme_has_examples():
    assert len(_examples()) >= 5


@pytest.mark.slow  # 21 commands, each its own Python process; several fly hundreds of missiles
@pytest.mark.parametrize("line", _examples())
def test_readme_example_runs(line, tmp_path):
    args = shlex.split(line)[1:]
    proc = subprocess.run([sys.executable, "-m", "thaadsim", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    for word in args:
        if word.endswith(".png"):
            assert (tmp_path / word).stat().st_size > 10_000


def test_readme_python_example_runs():
    code = re.search(r"From Python[^\n]*:\n\n```python\n(.*?)```", README, re.S)
    assert code
    exec(compile(code.group(1), "README.md", "exec"), {})


def test_readme_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start", 1)[1].split("## ", 1)[0]
    assert len(re.findall(r"```bash\n", quick)) == 2


def test_readme_limits_table_is_the_one_table():
    from thaadsim.limits import limits_markdown

    table = re.search(r"<!-- limits:start -->\n(.*?)\n<!-- limits:end -->", README, re.S)
    assert table, "the README has the input-limits table between its markers"
    assert table.group(1) == limits_markdown(), (
        "the README's table of input limits is out of date: run "
        "python scripts/update_readme_limits.py")
