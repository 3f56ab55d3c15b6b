// End to end in JupyterLab: `npm run lab`'s server (headless, free port, token) driven by Chromium; open the
// quickstart notebook (or, until it exists, the display fixture), run all cells, and check the Plotly chart is
// rendered by JupyterLab's plotly mime renderer (not by the HTML fallback).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
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

test("JupyterLab from `npm run lab` renders the notebook's Plotly chart with its plotly renderer", { skip: e2eSkip, timeout: 300_000 }, async () => {
  const quickstart = path.join(root, "notebooks", "00-quickstart.ipynb");
  const source = existsSync(quickstart) ? quickstart : path.join(root, "test", "fixtures", "notebooks", "display-smoke.ipynb");
  // JupyterLab saves the notebook it runs: serve a copy so the committed notebook stays output-free.
  const dir = mkdtempSync(path.join(tmpdir(), "mi-lab-"));
  const file = path.basename(source);
  copyFileSync(source, path.join(dir, file));
  const port = await freePort();
  const token = randomBytes(12).toString("hex");
  let log = "";
  const lab = spawn(
    process.execPath,
    [path.join(root, "scripts", "lab.js"), "--no-build", "--notebook-dir", dir, "--port", String(port), "--ServerApp.ip=127.0.0.1", `--IdentityProvider.token=${token}`, "--ServerApp.open_browser=False", "--LabApp.expose_app_in_browser=True"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  lab.stdout!.on("data", (d) => (log += d));
  lab.stderr!.on("data", (d) => (log += d));
  const browser = await launchChromium();
  let page: import("playwright-core").Page | undefined;
  try {
    await waitForServer(`http://127.0.0.1:${port}/api/status?token=${token}`, 120_000, () => log);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/lab/tree/${file}?token=${token}`, { timeout: 120_000 });
    // JupyterLab's own API (exposed by --LabApp.expose_app_in_browser): wait for the notebook's kernel, then run all.
    await page.waitForFunction("window.jupyterapp !== undefined", undefined, { timeout: 120_000 });
    const kernel = await page.evaluate<string>(`(async () => {
      const app = window.jupyterapp;
      await app.restored;
      let w;
      for (let i = 0; i < 1200; i++) {
        w = app.shell.currentWidget;
        if (w && w.sessionContext && w.content && w.content.widgets) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await w.context.ready;
      await w.sessionContext.ready;
      return w.sessionContext.session.kernel.name;
    })()`);
    assert.equal(kernel, "mi-identifiability");
    await page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')");
    const chart = page.locator(".jp-OutputArea-output.jp-RenderedPlotly .main-svg").first();
    await chart.waitFor({ state: "attached", timeout: Number(process.env.MI_LAB_CHART_TIMEOUT_MS ?? 180_000) });
    const rendered = await page.locator(".jp-OutputArea-output.jp-RenderedPlotly").count();
    assert.ok(rendered >= 1, "no chart rendered by the plotly renderer");
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
  }
});
