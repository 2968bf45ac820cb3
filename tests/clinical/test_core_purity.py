"""The clinical core stays framework-free: no Django anywhere in stepcare/clinical (DEVELOPERS.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import stepcare.clinical

CORE = Path(stepcare.clinical.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_core_module_imports_django() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(m for m in _imported_modules(path) if m.split(".")[0] == "django")
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert len(offenders) >= 5  # the walk really saw the core's modules


def test_importing_and_running_the_core_loads_no_django() -> None:
    code = (
        "import sys, stepcare.clinical as c; c.load_knowledge(); "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_core_ships_a_py_typed_marker() -> None:
    assert (CORE / "py.typed").exists()
