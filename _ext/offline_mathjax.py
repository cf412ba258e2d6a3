"""Serve MathJax 3 from the site itself, so formulas render offline and no request
leaves the site.

The MathJax files come from the pinned PyPI package ``django-static-mathjax`` (MathJax
3.2.2). Only what a page needs is copied: the TeX-to-CommonHTML bundle (which already
contains the context menu and assistive MathML), its fonts, and the TeX extensions it
may load on demand.
"""

import shutil
from pathlib import Path

import mathjax

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions"]


def _copy_mathjax(app, config):
    target = Path(app.outdir).parent / "mathjax_static"
    shutil.rmtree(
        target, ignore_errors=True
    )  # a fresh copy (3 MB) each build: never a stale part
    for part in PARTS:
        src, dst = SOURCE / part, target / "mathjax" / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    config.html_static_path = [*config.html_static_path, str(target)]
    config.mathjax_path = "mathjax/tex-chtml.js"


def setup(app):
    app.connect("config-inited", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
