// Every module of static/js links: each `import { … } from "…"` names exports that exist (a renamed
// export breaks the page before any view code runs). Entry modules (views/*/main.js) start their
// view when imported, so their imports are checked without importing them.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../static/js/", import.meta.url));
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g;

function modules(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith(".js") && name !== "lang.js" ? [path] : [];
  });
}

test("every import of the page's modules names an export that exists", async () => {
  const missing = [];
  for (const path of modules(ROOT)) {
    for (const [, names, from] of readFileSync(path, "utf8").matchAll(IMPORT)) {
      const target = resolve(dirname(path), from);
      const exported = await import(pathToFileURL(target).href);
      for (const name of names.split(",").map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
        if (!(name in exported)) missing.push(`${relative(ROOT, path)}: ${name} from ${from}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
