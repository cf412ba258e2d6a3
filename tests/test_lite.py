"""Every chapter runs in the reader's browser, offline (JupyterLite inside the book).

The built site is served on 127.0.0.1. Headless Chromium goes through a proxy that does
not exist (127.0.0.1:9; loopback bypasses it), so every request to anywhere else fails;
each request is also recorded. For a chapter, the "Run in the browser" link of its page
opens it in JupyterLite; "Run All" must execute every code cell with no error (every
assert of the chapter holds on Pyodide's stack too) and no request may leave the site.

`make test` runs chapters 1, 8 and the last one; `make test-lite` (`--lite=all`) runs
every chapter. The time each took is written to _build/lite-report.txt.
"""

import functools
import hashlib
import http.server
import json
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import CELL_STATE_JS

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "_build" / "lite-report.txt"
SUBSET = ["01_likelihood", "08_no_closed_form"]  # and the last chapter
MB = 1_000_000


def _chapters():
    return sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))


def pytest_generate_tests(metafunc):
    if "chapter" in metafunc.fixturenames:
        chapters = _chapters()
        subset = [c for c in chapters if c in SUBSET] + chapters[-1:]
        which = metafunc.config.getoption("lite")
        if which == "subset":
            chapters = subset
        elif which == "rest":
            chapters = [c for c in chapters if c not in subset]
        metafunc.parametrize("chapter", chapters)


def _dir_size(path, exclude=None):
    return sum(
        p.stat().st_size
        for p in path.rglob("*")
        if p.is_file() and (exclude is None or exclude not in p.parents)
    )


@pytest.fixture(scope="module")
def lite(site):
    assert (site / "lite" / "notebooks" / "index.html").exists(), "no lite bundle"
    return site / "lite"


def test_lite_settings_keep_everything_local(lite):
    config = json.loads((lite / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    # without a local Pyodide the kernel would load it from a CDN
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js", kernel
    assert kernel["disablePyPIFallback"] is True, kernel
    assert all(not url.startswith("http") for url in kernel["pipliteUrls"]), kernel
    assert (lite / "static" / "pyodide" / "pyodide.js").exists()


def test_every_pyodide_package_is_shipped_and_matches_the_lock(lite):
    pyodide = lite / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    assert lock["info"]["version"] == "0.27.7"
    for name, package in lock["packages"].items():
        data = (pyodide / package["file_name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == package["sha256"], name
    assert {"numpy", "scipy", "matplotlib", "sympy"} <= set(lock["packages"])
    assert "pandas" not in lock["packages"]  # no chapter imports it (size budget)
    index = {p.name.split("-")[0] for p in (lite / "pypi").glob("*.whl")}
    assert {"mlelib", "comm", "dask", "myst_nb", "PyYAML"} <= index, index


def test_site_sizes(site, lite):
    maps = [str(p) for p in site.rglob("*.map")]
    assert not maps, f"source maps in the site: {maps[:5]}"
    pages, bundle = _dir_size(site, exclude=lite), _dir_size(lite)
    REPORT.parent.mkdir(exist_ok=True)
    with REPORT.open("a") as report:
        report.write(
            f"site: pages {pages / MB:.1f} MB, lite bundle {bundle / MB:.1f} MB\n"
        )
    assert pages <= 15 * MB, f"pages without the lite bundle: {pages / MB:.1f} MB"
    assert bundle <= 80 * MB, f"lite bundle: {bundle / MB:.1f} MB"


def test_every_chapter_page_has_a_run_in_the_browser_button(site):
    for chapter in _chapters():
        html = (site / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
        link = f"../lite/notebooks/index.html?path=chapters/{chapter}.ipynb"
        assert link in html, f"{chapter}: no Run-in-the-browser link"
        assert "mybinder.org" in html and "colab.research.google.com" in html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
    }

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def lite_server(lite):
    handler = functools.partial(_QuietHandler, directory=str(lite.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def offline_browser(playwright, chromium):
    """Chromium in which every connection beyond this machine fails."""
    from conftest import CHROMIUM_ARGS

    browser = playwright.chromium.launch(
        executable_path=chromium,
        args=[*CHROMIUM_ARGS, "--proxy-server=http://127.0.0.1:9"],
    )
    yield browser
    browser.close()


def _expose_app(route):
    """The site's jupyter-lite.json plus exposeAppInBrowser (JupyterLab's switch that
    sets window.jupyterapp), for this test only: the published site keeps it off."""
    config = route.fetch().json()
    config["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    route.fulfill(json=config)


def test_chapter_runs_in_the_browser_offline(
    chapter, offline_browser, lite_server, site
):
    context = offline_browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        lambda url: url.split("?")[0] == f"{lite_server}lite/jupyter-lite.json",
        _expose_app,
    )
    requests, failed = [], []
    context.on("request", lambda r: requests.append(r.url))
    context.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    book_page = context.new_page()
    book_page.goto(f"{lite_server}chapters/{chapter}.html")
    started = time.monotonic()
    with context.expect_page() as opened:  # the button opens a new tab
        book_page.locator("a.btn-run-in-browser-button").click()
    page = opened.value
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session"
        "?.kernel?.status === 'idle'",
        timeout=180_000,
    )
    kernel_ready = time.monotonic() - started
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + 900
    while True:
        time.sleep(2)
        state = page.evaluate(CELL_STATE_JS)
        if state and (
            state["errors"]
            or (state["executed"] == state["cells"] and not state["busy"])
        ):
            break
        assert time.monotonic() < deadline, f"cells still running after 900 s: {state}"
    total = time.monotonic() - started
    page.screenshot(path=str(ROOT / "_build" / f"lite-{chapter}.png"))
    context.close()
    fetched = sum(  # bytes of the site's files this first (uncached) run loaded
        (site / path).stat().st_size
        for path in {urlsplit(u).path.lstrip("/") for u in requests}
        if (site / path).is_file()
    )
    with REPORT.open("a") as report:
        report.write(
            f"lite: {chapter}: kernel ready {kernel_ready:.1f} s, all cells run "
            f"{total:.1f} s, {len(requests)} requests, {fetched / MB:.1f} MB fetched\n"
        )
    off_site = [
        u for u in requests if not u.startswith((lite_server, "data:", "blob:"))
    ]
    assert not state["errors"], state["errors"]
    assert state["cells"] > 3 and state["executed"] == state["cells"], state
    assert not off_site, f"requests that left the site: {off_site[:10]}"
    assert not failed, f"failed requests: {failed[:10]}"
