"""The whole book builds with zero warnings (Sphinx -W -n), as `make book` does."""


def test_book_builds_without_warnings(book_build):
    log = book_build.stdout + book_build.stderr
    warnings = [
        line for line in log.splitlines() if "WARNING" in line or "ERROR" in line
    ]
    assert book_build.returncode == 0 and not warnings, (
        "\n".join(warnings) or log[-4000:]
    )


def test_built_site_has_every_page_of_the_toc(site, toc_pages):
    missing = [page for page in toc_pages if not (site / page).exists()]
    assert not missing, f"pages in _toc.yml that were not built: {missing}"
