// Compile every .py file of the given bundle directories to CPython 3.12 bytecode, and check the result.
//
// Lambda's python3.12 runtime cannot write bytecode (/var/task is read-only), so a bundle without .pyc files
// compiles every module it imports on every cold start. This machine has no Python 3.12, but Pyodide is
// CPython 3.12 built for WebAssembly: its bytecode has the same magic number and cache tag (cpython-312) as
// every other 3.12. The .pyc files are hash-checked (PEP 552), so the zip's timestamps do not matter.
//
// Usage: node scripts/compile_bytecode.mjs DIR [DIR ...]
// Prints one JSON line: {"python", "cache_tag", "magic", "compiled", "problems"}; exits 1 on any problem.

import { loadPyodide } from "pyodide";

const directories = process.argv.slice(2);
if (directories.length === 0) {
  console.error("usage: node scripts/compile_bytecode.mjs DIR [DIR ...]");
  process.exit(2);
}

const pyodide = await loadPyodide();
const mounts = directories.map((directory, index) => {
  const mountPoint = `/bundle${index}`;
  pyodide.FS.mkdirTree(mountPoint);
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: directory }, mountPoint);
  return mountPoint;
});
pyodide.globals.set("mounts", pyodide.toPy(mounts));

const summary = pyodide.runPython(`
import compileall
import importlib.util
import json
import pathlib
import py_compile
import sys

HASH_BASED_CHECKED = 0b11  # PEP 552 flags: hash-based, check the source


def problems_of(source: pathlib.Path) -> list[str]:
    cached = pathlib.Path(importlib.util.cache_from_source(str(source)))
    if not cached.is_file():
        return [f"{source}: no bytecode"]
    header = cached.read_bytes()[:16]
    expected_hash = importlib.util.source_hash(source.read_bytes())
    if header[:4] != importlib.util.MAGIC_NUMBER:
        return [f"{cached}: magic {header[:4].hex()}"]
    if int.from_bytes(header[4:8], "little") != HASH_BASED_CHECKED:
        return [f"{cached}: not hash-checked"]
    if header[8:16] != expected_hash:
        return [f"{cached}: source hash mismatch"]
    return []


problems = []
compiled = 0
for mount in mounts:
    if not compileall.compile_dir(
        mount, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    ):
        problems.append(f"{mount}: some files did not compile")
    for source in pathlib.Path(mount).rglob("*.py"):
        compiled += 1
        problems.extend(problems_of(source))

json.dumps({
    "python": sys.version.split()[0],
    "cache_tag": sys.implementation.cache_tag,
    "magic": importlib.util.MAGIC_NUMBER.hex(),
    "compiled": compiled,
    "problems": problems[:20],
})
`);
console.log(summary);
process.exit(JSON.parse(summary).problems.length === 0 ? 0 : 1);
