"""The package's layout holds: data flows one way, no private name crosses a module, every file
stays readable, and the estimator names of `config` match what the recorder can apply."""
import ast
from pathlib import Path

import pytest

from ibutils.config import ESTIMATOR_KINDS
from ibutils.record import LAYER_MEASURES

PACKAGE = Path(__file__).resolve().parents[1] / "ibutils"
# each top-level module or subpackage may import only those of a lower rank (README, "How the
# code is laid out"); modules of one rank do not import each other except as listed here
RANK = {"architecture": 0, "labels": 0, "config": 1, "data": 2, "reference": 2, "models": 3, "_compile": 3, "device": 3,
        "fastconv": 4, "train": 5, "seed_group": 6, "mi": 7, "geometry": 8, "record": 9, "store": 10, "provenance": 10,
        "results": 11, "plane": 11, "planning": 12, "distributed": 13, "runner": 14, "__main__": 15,
        "analysis": 16, "plots": 17, "book": 18}
MAX_CODE_LINES = 400


def _imports(path: Path):
    """(target top-level module, imported names) of every relative import in one file."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            target = [*parts[:len(parts) - node.level], *(node.module or "").split(".")]
            target = [t for t in target if t]
            yield (target[0] if target else node.names[0].name), [a.name for a in node.names]


def _code_lines(path: Path) -> int:
    """Lines that are neither blank, comments nor docstrings."""
    tree = ast.parse(path.read_text())
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.update(range(first.lineno, first.end_lineno + 1))
    return sum(1 for i, line in enumerate(path.read_text().splitlines(), 1)
               if line.strip() and not line.strip().startswith("#") and i not in docs)


FILES = sorted(p for p in PACKAGE.rglob("*.py"))


def _violations(me: str, imports) -> list[str]:
    """What breaks the layout among the imports of module `me`."""
    out = []
    for target, names in imports:
        if target in (me, "__version__"):
            continue
        if RANK[target] > RANK[me]:
            out.append(f"{me} imports {target}, a later layer")
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        if private:
            out.append(f"{me} imports private {private} from {target}")
    return out


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_imports_flow_one_way_and_keep_private_names_private(path):
    me = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if me != "__init__":
        assert _violations(me, _imports(path)) == []


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(PACKAGE)) for p in FILES])
def test_every_file_stays_readable(path):
    assert _code_lines(path) <= MAX_CODE_LINES


def test_every_module_has_a_rank():
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in FILES} - {"__init__"}
    assert tops == set(RANK)


def test_estimator_names_match_the_recorder():
    assert set(ESTIMATOR_KINDS) == set(LAYER_MEASURES)


def test_the_check_catches_an_upward_import_and_a_private_name():
    assert _violations("mi", [("config", ["binning"])]) == []
    assert _violations("mi", [("runner", ["run_study"])]) == ["mi imports runner, a later layer"]
    assert _violations("book", [("results", ["_complete"])]) == [
        "book imports private ['_complete'] from results"]
