"""A "Run in the browser" button on every chapter page.

It opens the chapter in the JupyterLite bundle the site serves itself (built by
lite_bundle and jupyterlite-sphinx into ``lite/``): the kernel, numpy, scipy, sympy,
matplotlib and mlelib all load from the site, so the chapter runs offline. The Binder
and Colab buttons of the theme's launch menu stay as they are.
"""

from pathlib import Path

LITE_NOTEBOOK_APP = "lite/notebooks/index.html"
LABEL = "Run in the browser"


def _add_button(app, pagename, templatename, context, doctree):
    source = Path(app.srcdir) / f"{pagename}.ipynb"
    if not pagename.startswith("chapters/") or not source.exists():
        return
    url = context["pathto"](LITE_NOTEBOOK_APP, 1) + f"?path={pagename}.ipynb"
    button = {
        "type": "link",
        "url": url,
        "text": LABEL,
        "tooltip": f"{LABEL}: run this chapter offline, in JupyterLite (no install)",
        "icon": "fas fa-play",
        "label": "run-in-browser-button",
    }
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    buttons.insert(0, button)
    # also first in the theme's launch menu, beside Binder and Colab
    for group in buttons:
        if group.get("label") == "launch-buttons":
            group["buttons"].insert(0, {**button, "label": "run-in-browser-menu"})


def setup(app):
    # after sphinx-book-theme has filled header_buttons (its handlers run at 501)
    app.connect("html-page-context", _add_button, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
