"""The package's shape: no function takes more than 6 parameters (pass one state object instead) and no
module is over 500 lines. ruff's PLR0913 checks the first too; this test also covers what ruff skips."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "servicetjek"
MAX_PARAMETERS = 6
MAX_LINES = 500


def _functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
            names = [n for n in names if n not in ("self", "cls")]
            yield node.name, node.lineno, len(names)


def test_no_function_has_more_than_six_parameters():
    wide = [f"{path.relative_to(PACKAGE.parent)}:{line} {name} ({count})"
            for path in sorted(PACKAGE.rglob("*.py")) for name, line, count in _functions(ast.parse(path.read_text()))
            if count > MAX_PARAMETERS]
    assert not wide, wide


def test_no_module_is_over_500_lines():
    long = [f"{p.relative_to(PACKAGE.parent)} ({n})" for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not long, long


def test_the_checks_can_fail():
    tree = ast.parse("def f(a, b, c, d, e, f, g):\n    pass\n")
    assert [count for _, _, count in _functions(tree)] == [7]
