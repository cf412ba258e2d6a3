"""Drop duplicate <script> entries from every page.

sphinx-thebe 0.3.1 registers its inline configuration script each time Sphinx reads
sources, and on Sphinx 7.4 that happens twice: the page then declares `const
THEBE_JS_URL` twice, which is a console error ("Identifier 'THEBE_JS_URL' has already
been declared") on every page.
"""


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # the same inline script is registered once with filename None and once with ""
        key = (
            script.filename or "",
            script.priority,
            repr(sorted(script.attributes.items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
