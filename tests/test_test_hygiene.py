"""The tests themselves can fail: none asserts a constant, expects any Exception at all, or
swallows an exception in silence (issue 13, part 5). Parsed, not run: a new test that does
one of these fails here, naming the file and line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
BROAD = {"Exception", "BaseException"}


def _test_files() -> list[Path]:
    return sorted(TESTS.glob("test_*.py"))


def _own_nodes(fn: ast.AST) -> list[ast.AST]:
    """The nodes of a test function's own body: a function defined inside it (a server
    thread, a fake) is its own code, left out."""
    nodes: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(fn))
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        nodes.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return nodes


def _weak_spots(source: str) -> list[tuple[int, str]]:
    """(line, what) for each assert of a true constant, ``pytest.raises`` of a bare
    ``Exception``/``BaseException``, and ``except`` whose whole body is ``pass`` or
    ``continue`` in a test function's own body."""
    found: list[tuple[int, str]] = []
    tree = ast.parse(source)
    for fn in ast.walk(tree):
        if not (isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                and fn.name.startswith("test")):
            continue
        for node in _own_nodes(fn):
            if isinstance(node, ast.Assert) and isinstance(node.test, ast.Constant) \
                    and node.test.value:
                found.append((node.lineno, "asserts a true constant"))
            elif isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.raises" \
                    and node.args and ast.unparse(node.args[0]) in BROAD:
                found.append((node.lineno, f"pytest.raises({ast.unparse(node.args[0])}) "
                                           "accepts any error: name the one expected"))
            elif isinstance(node, ast.ExceptHandler) and all(
                    isinstance(s, ast.Pass | ast.Continue) for s in node.body):
                found.append((node.lineno, "swallows an exception in silence"))
    return sorted(found)


def test_the_checker_finds_each_weak_spot() -> None:
    """The checker itself: each kind is found, on its line, and a sound test is not."""
    weak = ("import pytest\n"
            "def test_a():\n"
            "    assert True\n"
            "def test_b():\n"
            "    with pytest.raises(Exception):\n"
            "        f()\n"
            "def test_c():\n"
            "    try:\n"
            "        f()\n"
            "    except ValueError:\n"
            "        pass\n")
    assert [line for line, _ in _weak_spots(weak)] == [3, 5, 10]
    sound = ("import pytest\n"
             "def test_d():\n"
             "    with pytest.raises(ValueError, match='x'):\n"
             "        f()\n"
             "    assert f() == 1\n"
             "    def serve():\n"
             "        try:\n"
             "            f()\n"
             "        except OSError:\n"
             "            pass\n"
             "def helper():\n"
             "    try:\n"
             "        f()\n"
             "    except OSError:\n"
             "        pass\n")
    assert _weak_spots(sound) == []


@pytest.mark.parametrize("path", _test_files(), ids=lambda p: p.name)
def test_no_test_asserts_nothing_or_anything(path: Path) -> None:
    spots = _weak_spots(path.read_text("utf-8"))
    assert not spots, "; ".join(f"{path.name}:{line}: {what}" for line, what in spots)
