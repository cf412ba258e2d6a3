"""Leave out of the published site what no page loads.

The themes ship JavaScript/CSS source maps (for their developers' debuggers),
translations used only at build time, and TrueType copies of fonts that every browser
loads as WOFF2 instead. Together they are about a quarter of the site.

The copy of each chapter notebook behind the page's download button (``_sources/``)
keeps its code and text but not its stored outputs: the page itself shows them, and
with them every figure was in the site twice (about 5 MB). A downloaded chapter is run
to produce them, as in the browser.
"""

import json
import shutil
from pathlib import Path


def _strip_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), "utf-8")


def _remove_unused(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for path in [*static.rglob("*.map"), *(static / "vendor").rglob("*.ttf")]:
        path.unlink()
    shutil.rmtree(static / "locales", ignore_errors=True)
    for notebook in (Path(app.outdir) / "_sources").rglob("*.ipynb"):
        _strip_outputs(notebook)


def setup(app):
    app.connect("build-finished", _remove_unused)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
