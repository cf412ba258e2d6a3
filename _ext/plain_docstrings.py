"""Show mlelib's docstrings as they read in a terminal.

mlelib's docstrings are plain text laid out in aligned columns (model, estimator, se, raises),
not reStructuredText. For the API appendix, autodoc keeps each docstring's first paragraph as text
and shows the rest verbatim in a literal block, so the columns survive and nothing is mis-parsed.
"""
import re


def _as_literal(app, what, name, obj, options, lines):
    if not name.startswith("mlelib") or not lines:
        return
    try:
        split = lines.index("")
    except ValueError:
        split = len(lines)
    summary = [re.sub(r"([|*])", r"\\\1", line) for line in lines[:split]]
    rest = [line for line in lines[split + 1:]]
    while rest and not rest[-1].strip():
        rest.pop()
    lines[:] = summary + (["", ".. code-block:: text", ""] + ["    " + line for line in rest] + [""] if rest else [])


def setup(app):
    app.connect("autodoc-process-docstring", _as_literal)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
