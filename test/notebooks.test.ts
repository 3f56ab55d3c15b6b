// End to end: `npm run reproduce` executes the notebooks with the project kernel, the HTML it writes draws every
// Plotly chart in headless Chromium without page errors, a type error names notebook + cell + TS message, and the
// project kernel is what `jupyter kernelspec list` shows inside .venv.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { e2eSkip, launchChromium } from "./fixtures/browser";

const root = path.resolve(__dirname, "..");
const fixtures = path.join(root, "test", "fixtures", "notebooks");
const { unprintedNumbers } = require("../scripts/notebook-prose.js") as { unprintedNumbers: (nb: unknown) => { cell: number; number: string; context: string }[] };
const { ensureVenv } = require("../scripts/venv.js") as { ensureVenv: () => { binDir: string; env: NodeJS.ProcessEnv } };

function reproduce(args: string[]) {
  return spawnSync(process.execPath, [path.join(root, "scripts", "reproduce.js"), "--no-build", ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
}

function plotlyOutputs(ipynbFile: string): number {
  const nb = JSON.parse(readFileSync(ipynbFile, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && "application/vnd.plotly.v1+json" in o.data).length;
}

test("jupyter kernelspec list inside .venv lists the project kernel from kernel/", { skip: e2eSkip }, () => {
  const venv = ensureVenv();
  const r = spawnSync(path.join(venv.binDir, "jupyter"), ["kernelspec", "list", "--json"], { env: venv.env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const specs = JSON.parse(r.stdout).kernelspecs as Record<string, { resource_dir: string; spec: { argv: string[] } }>;
  assert.ok(specs["mi-identifiability"], `kernel not listed: ${Object.keys(specs).join(", ")}`);
  assert.equal(realpathSync(specs["mi-identifiability"].resource_dir), path.join(root, "kernel", "mi-identifiability"));
  assert.ok(!specs["mi-identifiability"].spec.argv.some((a) => a.startsWith("/")), "kernel.json must hold no absolute paths");
});

test("reproduce executes the notebooks and every Plotly chart of the HTML draws in Chromium", { skip: e2eSkip }, async () => {
  const out = mkdtempSync(path.join(tmpdir(), "mi-reproduce-"));
  const nbDir = path.join(root, "notebooks");
  const hasNotebooks = existsSync(nbDir) && readdirSync(nbDir).some((f) => f.endsWith(".ipynb"));
  const r = reproduce(hasNotebooks ? ["--out", out] : [path.join(fixtures, "display-smoke.ipynb"), "--out", out]);
  assert.equal(r.status, 0, `npm run reproduce failed:\n${r.stderr}`);
  // the prose of every executed notebook quotes only numbers its cells printed (scripts/notebook-prose.js)
  const unprinted = readdirSync(out).filter((x) => x.endsWith(".ipynb")).flatMap((x) =>
    unprintedNumbers(JSON.parse(readFileSync(path.join(out, x), "utf8"))).map((p) => `${x} cell ${p.cell}: ${p.number} in "…${p.context}…"`));
  assert.deepEqual(unprinted, [], "numbers quoted in markdown that no cell above printed");
  const f = reproduce([path.join(fixtures, "display-smoke.ipynb"), "--out", out]);
  assert.equal(f.status, 0, `display fixture failed:\n${f.stderr}`);
  const smoke = JSON.parse(readFileSync(path.join(out, "display-smoke.ipynb"), "utf8"));
  const smokeOutputs = smoke.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []);
  assert.ok(smokeOutputs.some((o: { text?: string[] | string }) => String(o.text ?? "").includes(`cwd=${root}`)), "the kernel must run in the project root");

  const htmls = readdirSync(out).filter((x) => x.endsWith(".html")).sort();
  assert.ok(htmls.includes("display-smoke.html"));
  const browser = await launchChromium();
  try {
    for (const h of htmls) {
      const expected = plotlyOutputs(path.join(out, h.replace(/\.html$/, ".ipynb")));
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(path.join(out, h)).href, { waitUntil: "load", timeout: 60_000 });
      await page.waitForFunction(`document.querySelectorAll(".js-plotly-plot .main-svg").length >= ${expected}`, undefined, { timeout: 30_000 }).catch(() => undefined);
      const drawn = await page.evaluate<number>(`document.querySelectorAll(".js-plotly-plot").length`);
      const svgs = await page.evaluate<number>(`document.querySelectorAll(".js-plotly-plot .main-svg").length`);
      assert.deepEqual(errors, [], `${h}: page errors`);
      assert.equal(drawn, expected, `${h}: ${drawn} Plotly charts drawn, ${expected} expected`);
      assert.ok(svgs >= expected, `${h}: charts without .main-svg`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  // the smoke fixture has two figures and inlines plotly.js only once
  assert.equal(plotlyOutputs(path.join(out, "display-smoke.ipynb")), 2);
  const html = readFileSync(path.join(out, "display-smoke.html"), "utf8");
  assert.equal(html.split("(inlined once per kernel session)").length - 1, 1);
});

test("a notebook with a type error makes reproduce fail naming the notebook, the cell and the TypeScript message", { skip: e2eSkip }, () => {
  const out = mkdtempSync(path.join(tmpdir(), "mi-reproduce-err-"));
  const r = reproduce([path.join(fixtures, "type-error.ipynb"), "--out", out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /FAILED .*type-error\.ipynb, cell 3 \(code cell 2\)/);
  assert.match(r.stderr, /Type 'string' is not assignable to type 'number'/);
});
