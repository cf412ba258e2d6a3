"""``myst_nb.glue`` for the chapters running in JupyterLite (browser) only.

The real myst-nb is a Sphinx extension: importing its ``glue`` pulls in docutils and
nbformat, which the browser does not need. The chapters only call ``glue(name, value)``,
which displays the value and tags the output with its name for the book build. This
stand-in does the same (the logic of myst-nb 1.4.0's ``myst_nb.ext.glue.glue``); it is
built into a wheel for the site's own package index and never installed under CPython.
"""

import IPython
from IPython.display import display as ipy_display

__version__ = "1.4.0+lite"
GLUE_PREFIX = "application/papermill.record/"


def glue(name, variable, display=True):
    """Display ``variable`` (if ``display``) and record it under ``name``."""
    mimebundle, metadata = IPython.core.formatters.format_display_data(variable)
    mime_prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": mime_prefix}
    ipy_display(
        {mime_prefix + k: v for k, v in mimebundle.items()},
        raw=True,
        metadata=metadata,
    )
