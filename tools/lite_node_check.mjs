// Run one chapter's code cells on the site's own Pyodide in Node: a quick way to find
// what breaks on the browser's stack (Python 3.12, numpy 2.0, scipy 1.14, sympy 1.14,
// matplotlib 3.8) without a browser. It uses the bundle `make book` assembled.
//
//   node tools/lite_node_check.mjs chapters/08_no_closed_form.ipynb
//
// Prints one JSON line: {chapter, seconds, cells, error?: {cell, text}}.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const lite = process.env.LITE_DIR || path.join(root, "_build", "lite");
const chapter = path.resolve(process.argv[2]);
const { loadPyodide } = await import(
  pathToFileURL(path.join(lite, "static", "pyodide", "pyodide.mjs")).href
);

const started = Date.now();
const py = await loadPyodide({
  indexURL: path.join(lite, "static", "pyodide") + "/",
  stdout: () => {},
  stderr: () => {},
});
py.FS.mkdirTree("/wheels");
for (const name of fs.readdirSync(path.join(lite, "pypi"))) {
  if (name.endsWith(".whl")) {
    py.FS.writeFile(`/wheels/${name}`, fs.readFileSync(path.join(lite, "pypi", name)));
  }
}
py.FS.mkdirTree("/home/pyodide/chapters");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.dirname(chapter) }, "/home/pyodide/chapters");
await py.loadPackage(["micropip"]);
await py.runPythonAsync(`
import glob, os, micropip
os.environ["MPLBACKEND"] = "Agg"
# what piplite would find in the site's index: every local wheel, then their dependencies
wheels = ["emfs:" + w for w in sorted(glob.glob("/wheels/*.whl"))]
await micropip.install(wheels + ["numpy", "scipy", "sympy", "matplotlib"])
os.chdir("/home/pyodide/chapters")
`);

const notebook = JSON.parse(fs.readFileSync(chapter, "utf8"));
const cells = notebook.cells.filter((c) => c.cell_type === "code");
const result = { chapter: path.basename(chapter), cells: cells.length };
for (const [index, cell] of cells.entries()) {
  const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  try {
    await py.runPythonAsync(source);
  } catch (error) {
    const lines = String(error.message).trim().split("\n");
    result.error = { cell: index, text: lines.slice(-3).join(" | ") };
    break;
  }
}
result.seconds = (Date.now() - started) / 1000;
console.log(JSON.stringify(result));
process.exit(0);
