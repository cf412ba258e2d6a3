"""Static checks of the chapter notebooks: the habits nbval and the build depend on."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _code_cells(path):
    return [
        c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
    ]


def test_every_chapter_is_in_the_table_of_contents(toc_documents):
    listed = set(toc_documents)
    missing = [p.name for p in NOTEBOOKS if f"chapters/{p.stem}" not in listed]
    assert not missing, f"not in _toc.yml: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_has_kernel_metadata(path):
    metadata = json.loads(path.read_text())["metadata"]
    assert metadata.get("kernelspec", {}).get("name") == "python3"
    assert metadata.get("language_info", {}).get("name") == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_stores_outputs_and_no_errors(path):
    cells = [c for c in _code_cells(path) if "".join(c["source"]).strip()]
    assert all(c["execution_count"] is not None for c in cells), (
        "a code cell was never executed"
    )
    outputs = [o for c in cells for o in c["outputs"]]
    assert outputs, "no stored outputs: nbval would only check that the cells run"
    errors = [o.get("ename") for o in outputs if o["output_type"] == "error"]
    assert not errors, f"stored error outputs: {errors}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_seeded_generators(path):
    source = "\n".join("".join(c["source"]) for c in _code_cells(path))
    legacy = re.findall(r"np\.random\.(?!default_rng)\w+", source)
    assert not legacy, f"legacy global-state RNG calls: {sorted(set(legacy))}"
    for call in re.findall(r"default_rng\(([^)]*)\)", source):
        assert call.strip(), "default_rng() without a seed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_asserts_its_results(path):
    source = "\n".join("".join(c["source"]) for c in _code_cells(path))
    assert re.search(r"\bassert\b|np\.testing\.assert", source), (
        "no cell checks its results"
    )
    assert "mlelib" in source, "the chapter is not checked against mlelib"


def _lite_tool():
    """tools/add_lite_install_cell.py, imported by path (tools/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "add_lite_install_cell", ROOT / "tools" / "add_lite_install_cell.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_installs_its_packages_in_the_browser(path):
    """The hidden first code cell piplite-installs what the chapter imports (in
    JupyterLite); `tools/add_lite_install_cell.py` adds or refreshes it."""
    import nbformat

    tool = _lite_tool()
    notebook = nbformat.read(path, as_version=4)
    assert tool.is_current(notebook), (
        "missing or stale browser install cell: run "
        "`.venv/bin/python tools/add_lite_install_cell.py`"
    )
