"""Give every chapter the hidden first code cell installing its packages in the browser.

In JupyterLite (the "Run in the browser" button) the kernel is Pyodide: numpy, scipy,
sympy, matplotlib, pandas and mlelib are not imported until installed from the site's
own package index. The cell does that with piplite, which exists only there; under
CPython (Jupyter, nbval, the book build) ``import piplite`` fails and the cell does
nothing. It is tagged ``remove-cell``, so the book does not show it.

    .venv/bin/python tools/add_lite_install_cell.py          # every chapters/*.ipynb
    .venv/bin/python tools/add_lite_install_cell.py --check  # exit 1: missing/stale
    .venv/bin/python tools/add_lite_install_cell.py chapters/16_beyond_memory.ipynb

The package list comes from the chapter's imports, so re-run it after a chapter starts
importing something new (tests/test_chapters.py checks it is up to date). Running it
again changes nothing. The cell is inserted before the first code cell with the stored
state of a CPython run (no output).
"""

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CELL_ID = "lite-install"
# imported module -> what piplite installs (in this order)
PACKAGES = {
    "mlelib": "mlelib",
    "myst_nb": "myst-nb",
    "numpy": "numpy",
    "scipy": "scipy",
    "sympy": "sympy",
    "matplotlib": "matplotlib",
    "pandas": "pandas",
    "dask": "dask",
}


def imported_modules(notebook):
    """Top-level names of every module the notebook's code cells import."""
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code" or cell.get("id") == CELL_ID:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # cell magics etc.: fall back to the import lines
            names |= set(re.findall(r"^\s*(?:from|import)\s+(\w+)", cell.source, re.M))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def cell_source(notebook):
    modules = imported_modules(notebook)
    packages = [package for module, package in PACKAGES.items() if module in modules]
    listed = ", ".join(f'"{p}"' for p in packages)
    source = (
        "# In the browser (JupyterLite), install this chapter's packages from the\n"
        "# site's own package index; elsewhere piplite does not exist.\n"
        "try:\n"
        "    import piplite\n"
        "\n"
        f"    await piplite.install([{listed}])\n"
        "except ImportError:\n"
        "    pass\n"
    )
    return _ruff_format(source).rstrip("\n")


def _ruff_format(source):
    """The source as `ruff format` (the project's style, pyproject.toml) writes it."""
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), "format", "--stdin-filename", "cell.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return result.stdout


def expected_cell(notebook):
    cell = nbformat.v4.new_code_cell(cell_source(notebook))
    cell.id = CELL_ID
    cell.metadata = {"tags": ["remove-cell"]}
    cell.execution_count = 1  # what running it under CPython stores: no output
    return cell


def first_code_index(notebook):
    return next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")


def is_current(notebook):
    """The install cell is the first code cell and lists the chapter's imports."""
    cell = notebook.cells[first_code_index(notebook)]
    return (
        cell.get("id") == CELL_ID
        and cell.source == cell_source(notebook)
        and "remove-cell" in cell.metadata.get("tags", [])
    )


def update(path):
    """Insert or refresh the cell; return True if the file changed."""
    notebook = nbformat.read(path, as_version=4)
    if is_current(notebook):
        return False
    notebook.cells = [c for c in notebook.cells if c.get("id") != CELL_ID]
    notebook.cells.insert(first_code_index(notebook), expected_cell(notebook))
    nbformat.write(notebook, path)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    if args.check:
        stale = [p for p in paths if not is_current(nbformat.read(p, as_version=4))]
        for path in stale:
            print(f"{path}: install cell missing or stale", file=sys.stderr)
        return 1 if stale else 0
    for path in paths:
        print(f"{path}: {'updated' if update(path) else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
