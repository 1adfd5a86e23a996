"""DESIGN.md §2 and STYLE.md §4, checked: services meet only through
``stratus/``, their public APIs and the bus."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ("identity", "image", "compute", "network", "volume", "dashboard")


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("service", SERVICES)
def test_no_service_imports_another(service):
    offenders = []
    for path in (ROOT / service).rglob("*.py"):
        for name in _imports(path):
            if _top(name) in SERVICES and _top(name) != service:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_shared_core_imports_no_service():
    offenders = [f"{p.relative_to(ROOT)} imports {n}"
                 for p in (ROOT / "stratus").rglob("*.py")
                 for n in _imports(p) if _top(n) in SERVICES]
    assert not offenders, "\n".join(offenders)


def test_agents_and_drivers_never_touch_the_database():
    offenders = []
    for folder in ("compute/agent", "compute/virt", "network/agent"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name.startswith("stratus.db") or name.startswith("sqlalchemy"):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_agents_never_import_their_api_side():
    """An agent gets its state over the bus, never from the API's managers or
    tables (DESIGN.md §2): a node holds no database credentials."""
    api_side = ("network.api", "network.manager", "network.models", "network.database",
                "network.service", "network.plugin", "compute.api", "compute.conductor",
                "compute.models")
    offenders = []
    for folder in ("compute/agent", "compute/virt", "network/agent"):
        for path in (ROOT / folder).rglob("*.py"):
            for name in _imports(path):
                if name.startswith(api_side):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)
