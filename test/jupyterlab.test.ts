// End to end in JupyterLab: `npm run lab`'s server (headless, free port, token) driven by Chromium, serving the project.
// 1. Open the committed quickstart notebook in place, let its kernel start, save it: the file is byte for byte what
//    it was (committed notebooks are in Lab's format, scripts/normalize-notebooks.js), so `git status` stays clean.
// 2. Run all cells of a copy (under output/): the Plotly chart is rendered by JupyterLab's plotly mime renderer (not
//    by the HTML fallback), and the saved notebook holds the figure data but not the plotly.js library.
// Jupyter's state goes to a temporary MI_JUPYTER_DIR, so this run leaves no workspace for the user's next `npm run lab`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import { e2eSkip, launchChromium } from "./fixtures/browser";

const root = path.resolve(__dirname, "..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForServer(url: string, ms: number, log: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`JupyterLab did not answer ${url} within ${ms / 1000} s. Its log:\n${log()}`);
}

/** Runs `js` (an async function body that receives JupyterLab's app) in the page and returns its value. */
function inLab<T>(page: import("playwright-core").Page, js: string): Promise<T> {
  return page.evaluate<T>(`(async () => { const app = window.jupyterapp; await app.restored; ${js} })()`);
}

/** Opens `file` (relative to the served root) as a notebook; resolves once its kernel answered kernel_info. */
const OPEN_NOTEBOOK = (file: string) => `
  const w = await app.commands.execute("docmanager:open", { path: ${JSON.stringify(file)}, factory: "Notebook" });
  await w.context.ready;
  await w.sessionContext.ready;
  const kernel = w.sessionContext.session.kernel;
  await kernel.info;
  // Lab writes the kernel's language_info into the metadata when the kernel's info arrives: let that settle.
  await new Promise((r) => setTimeout(r, 1000));
  window.__mi = window.__mi || {};
  window.__mi[${JSON.stringify(file)}] = w;`;

function gitStatus(file: string): string {
  const r = spawnSync("git", ["status", "--porcelain", "--", file], { cwd: root, encoding: "utf8" });
  return r.status === 0 ? r.stdout : `(git status failed: ${r.stderr})`;
}

test("JupyterLab: opening and saving a committed notebook leaves it unchanged; Run All renders Plotly charts with Lab's renderer and saves no plotly.js", { skip: e2eSkip, timeout: 400_000 }, async () => {
  const committed = path.join("notebooks", "00-quickstart.ipynb");
  const committedBytes = readFileSync(path.join(root, committed));
  const statusBefore = gitStatus(committed);
  // Run All happens on a copy inside the project (output/ is not committed), so the committed notebook keeps no outputs.
  const runDir = path.join("output", `lab-test-${randomBytes(4).toString("hex")}`);
  mkdirSync(path.join(root, runDir), { recursive: true });
  const runFile = path.join(runDir, "00-quickstart.ipynb");
  copyFileSync(path.join(root, committed), path.join(root, runFile));
  const jupyterDir = mkdtempSync(path.join(tmpdir(), "mi-jupyter-"));
  const browser = await launchChromium(); // first: without a browser, no server is left behind
  const port = await freePort();
  const token = randomBytes(12).toString("hex");
  let log = "";
  const lab = spawn(
    process.execPath,
    [path.join(root, "scripts", "lab.js"), "--no-build", "--notebook-dir", root, "--port", String(port), "--ServerApp.ip=127.0.0.1", `--IdentityProvider.token=${token}`, "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, MI_JUPYTER_DIR: jupyterDir } },
  );
  lab.stdout!.on("data", (d) => (log += d));
  lab.stderr!.on("data", (d) => (log += d));
  let page: import("playwright-core").Page | undefined;
  try {
    await waitForServer(`http://127.0.0.1:${port}/api/status?token=${token}`, 120_000, () => log);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/lab?token=${token}`, { timeout: 120_000 });
    // JupyterLab's own API (exposed by --LabApp.expose_app_in_browser).
    await page.waitForFunction("window.jupyterapp !== undefined", undefined, { timeout: 120_000 });

    // 1. open + save the committed notebook
    const kernel = await inLab<string>(page, `${OPEN_NOTEBOOK(committed)}
      await w.context.save();
      const name = w.sessionContext.session.kernel.name;
      await w.sessionContext.shutdown();
      w.dispose();
      return name;`);
    assert.equal(kernel, "mi-identifiability");
    const saved = readFileSync(path.join(root, committed));
    if (!saved.equals(committedBytes)) {
      const diff = spawnSync("git", ["diff", "--no-index", "--", "-", committed], { cwd: root, input: committedBytes, encoding: "utf8" }).stdout;
      assert.fail(`JupyterLab rewrote ${committed} on save (run \`node scripts/normalize-notebooks.js\` or fix its format):\n${diff.slice(0, 3000)}`);
    }
    assert.equal(gitStatus(committed), statusBefore, "git status of the saved notebook changed");

    // 2. Run All on the copy
    await inLab(page, `${OPEN_NOTEBOOK(runFile)}
      await app.commands.execute("notebook:run-all-cells");`);
    const chart = page.locator(".jp-OutputArea-output.jp-RenderedPlotly .main-svg").first();
    await chart.waitFor({ state: "attached", timeout: Number(process.env.MI_LAB_CHART_TIMEOUT_MS ?? 180_000) });
    const rendered = await page.locator(".jp-OutputArea-output.jp-RenderedPlotly").count();
    assert.ok(rendered >= 1, "no chart rendered by the plotly renderer");
    await inLab(page, `const w = window.__mi[${JSON.stringify(runFile)}];
      for (let i = 0; i < 3000 && w.sessionContext.session.kernel.status !== "idle"; i++) await new Promise((r) => setTimeout(r, 100));
      await w.context.save();`);
    const live = readFileSync(path.join(root, runFile), "utf8");
    assert.match(live, /application\/vnd\.plotly\.v1\+json/, "the saved notebook holds the figure data");
    assert.ok(!live.includes("inlined once per kernel session") && !live.includes("cdn.plot.ly"), "the saved notebook carries no plotly.js");
    assert.ok(statSync(path.join(root, runFile)).size < 1_000_000, `the executed notebook is ${statSync(path.join(root, runFile)).size} bytes`);
    // JupyterLab's debugger sidebar rejects "No active debugger session" for kernels without a debugger (tslab): not ours.
    assert.deepEqual(errors.filter((m) => !/No active debugger session/.test(m)), []);
  } catch (e) {
    const outputs = page
      ? await page
          .evaluate<string>(`Array.from(document.querySelectorAll(".jp-OutputArea-output")).map((o) => (o.getAttribute("data-mime-type") || "?") + " " + o.className + " :: " + o.innerHTML.slice(0, 200)).join("\\n")`)
          .catch(() => "?")
      : "?";
    (e as Error).message += `\n--- outputs in the page ---\n${outputs}\n--- JupyterLab log (tail) ---\n${log.slice(-3000)}`;
    throw e;
  } finally {
    await browser.close();
    try {
      process.kill(-lab.pid!, "SIGTERM");
    } catch {
      /* already gone */
    }
    rmSync(path.join(root, runDir), { recursive: true, force: true });
    rmSync(jupyterDir, { recursive: true, force: true });
  }
});
