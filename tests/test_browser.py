"""The built site, opened in a real browser (headless Debian Chromium, Playwright).

Every page of the table of contents must load with zero console errors and zero failed
or off-origin requests, typeset every formula with the site's own MathJax, load every
image, and fit a phone-sized screen. Every internal link resolves, fragment included.
"""

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PHONE = {"width": 390, "height": 844}
REPORT = (
    Path(__file__).resolve().parent.parent / "_build" / "browser-report.txt"
)  # conftest prints it

# Text nodes outside code, scripts and typeset math that still hold TeX delimiters.
RAW_TEX_JS = r"""() => {
  const root = document.querySelector("main") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const skip = "pre, code, script, style, mjx-container, .highlight, textarea";
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    if (/\\\(|\\\[|\$\$|\\begin\{/.test(text)) found.push(text.trim().slice(0, 80));
  }
  return found;
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def _visit(browser, url, origin, viewport=None):
    """Open url; return the page and everything that went wrong while it loaded."""
    context = (
        browser.new_context(viewport=viewport) if viewport else browser.new_context()
    )
    page = context.new_page()
    problems = {"console": [], "failed": [], "requests": []}
    page.on(
        "console",
        lambda msg: msg.type == "error" and problems["console"].append(msg.text),
    )
    page.on("pageerror", lambda exc: problems["console"].append(f"uncaught: {exc}"))
    page.on(
        "requestfailed",
        lambda req: problems["failed"].append(f"{req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda res: (
            res.status >= 400 and problems["failed"].append(f"{res.url} ({res.status})")
        ),
    )
    page.on("request", lambda req: problems["requests"].append(req.url))
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.wait_for_load_state("networkidle")
    problems["off_origin"] = [
        u for u in problems["requests"] if not u.startswith((origin, "data:", "blob:"))
    ]
    return page, problems


@pytest.fixture(scope="module")
def visited(browser, server, toc_pages):
    """Each toc page visited once on a desktop screen: problems, MathJax."""
    results = {}
    for path in toc_pages:
        page, problems = _visit(browser, server + path, server)
        results[path] = {
            **problems,
            "formulas": page.locator("mjx-container").count(),
            "math_errors": page.locator("mjx-merror").count(),
            "raw_tex": page.evaluate(RAW_TEX_JS),
            "broken_images": page.evaluate(
                "() => [...document.images]"
                ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            ),
            "images": page.evaluate("() => document.images.length"),
            "links": page.evaluate(
                "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
            ),
            "mathjax_src": page.evaluate(
                "() => [...document.scripts].map(s => s.src)"
                ".filter(s => s.includes('mathjax'))"
            ),
        }
        page.context.close()
    REPORT.write_text(
        f"browser: {len(results)} pages, "
        f"{sum(r['formulas'] for r in results.values())} typeset formulas, "
        f"{sum(r['images'] for r in results.values())} images, "
        f"{sum(len(r['requests']) for r in results.values())} requests "
        "(all to the site itself: "
        f"{not any(r['off_origin'] for r in results.values())}), "
        f"{sum(len(r['links']) for r in results.values())} links\n"
    )
    return results


def test_every_page_loads_without_console_errors(visited):
    bad = {path: r["console"] for path, r in visited.items() if r["console"]}
    assert not bad, bad


def test_no_request_fails_or_leaves_the_site(visited):
    bad = {
        path: r["failed"] + r["off_origin"]
        for path, r in visited.items()
        if r["failed"] or r["off_origin"]
    }
    assert not bad, bad


def test_mathjax_is_served_by_the_site(visited, server):
    for path, r in visited.items():
        assert all(src.startswith(server) for src in r["mathjax_src"]), (
            path,
            r["mathjax_src"],
        )
        assert r["mathjax_src"] or not r["formulas"], (
            f"{path} has formulas but no MathJax"
        )


def test_every_formula_is_typeset(visited, chapter_pages):
    without = [p for p in chapter_pages if not visited[p]["formulas"]]
    assert not without, f"chapters without a typeset formula: {without}"
    bad = {
        p: (r["math_errors"], r["raw_tex"])
        for p, r in visited.items()
        if r["math_errors"] or r["raw_tex"]
    }
    assert not bad, f"MathJax errors or untypeset TeX: {bad}"


def test_every_image_loads(visited, chapter_pages):
    bad = {
        path: r["broken_images"] for path, r in visited.items() if r["broken_images"]
    }
    assert not bad, bad
    assert all(visited[p]["images"] > 0 for p in chapter_pages), (
        "a chapter without a figure"
    )


def test_every_internal_link_resolves(visited, server, site):
    ids_cache = {}

    def ids_of(file):
        if file not in ids_cache:
            ids_cache[file] = set(
                re.findall(r'\sid="([^"]+)"', file.read_text(encoding="utf-8"))
            )
        return ids_cache[file]

    broken = []
    for path, r in visited.items():
        for href in r["links"]:
            if not href.startswith(server):
                continue
            parts = urlsplit(href)
            relative = parts.path[len(urlsplit(server).path) :] or "index.html"
            target = site / relative
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path} -> {href} (no such file)")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and parts.fragment not in ids_of(target)
            ):
                broken.append(
                    f"{path} -> {href} (no element with id '{parts.fragment}')"
                )
    assert not broken, "\n".join(sorted(set(broken)))


def test_pages_fit_a_phone_screen(browser, server, toc_pages):
    overflowing = {}
    for path in toc_pages:
        page, _ = _visit(browser, server + path, server, viewport=PHONE)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"] + 1:
            overflowing[path] = width
        page.context.close()
    assert not overflowing, (
        f"horizontal overflow on a {PHONE['width']} px wide screen: {overflowing}"
    )
