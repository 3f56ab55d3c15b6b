import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

// Each case runs in a fresh process: the backend is chosen once per process.
function inChild(code: string, env: Record<string, string> = {}): { out: string; err: string; status: number } {
  const script = `const { loadTf, describeBackend, hasNativeBackend } = require("./src/backend"); (async () => { ${code} })().catch((e) => { console.log("ERROR " + e.message); });`;
  try {
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", env: { ...process.env, MI_TF_BACKEND: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    return { out, err: "", status: 0 };
  } catch (e: any) {
    return { out: e.stdout ?? "", err: e.stderr ?? "", status: e.status ?? 1 };
  }
}

// The native backend is optional (`npm install @tensorflow/tfjs-node@4.22.0`); without it, cpu is the default.
function nativeInstalled(): boolean {
  try {
    return JSON.parse(readFileSync(path.resolve("node_modules/@tensorflow/tfjs-node/package.json"), "utf8")).name === "@tensorflow/tfjs-node";
  } catch {
    return false;
  }
}
const native = nativeInstalled();

test("default backend: native when tfjs-node is real, else cpu; no tfjs banner", () => {
  const r = inChild(`const h = await loadTf(); const t = h.tf.tensor([1, 2]).square(); console.log(h.backend, h.tf.getBackend(), Array.from(t.dataSync()).join(","), hasNativeBackend()); console.log(describeBackend(h));`);
  assert.equal(r.status, 0, r.err);
  assert.doesNotMatch(r.out + r.err, /Hi, looks like|Hi there/);
  if (!native) {
    assert.match(r.out, /^cpu cpu 1,4 false\n/);
    assert.match(r.out, /npm install @tensorflow\/tfjs-node@4\.22\.0/);
  } else assert.match(r.out, /^tensorflow tensorflow 1,4 true/);
});

test("MI_TF_BACKEND selects the backend; bad values and a missing native backend get clear errors", () => {
  assert.match(inChild(`const h = await loadTf(); console.log(h.backend, h.tf.getBackend());`, { MI_TF_BACKEND: "wasm" }).out, /^wasm wasm/);
  assert.match(inChild(`const h = await loadTf("wasm"); console.log(h.backend, h.tf.getBackend());`, { MI_TF_BACKEND: "cpu" }).out, /^cpu cpu/);
  assert.match(inChild(`await loadTf();`, { MI_TF_BACKEND: "gpu" }).out, /ERROR MI_TF_BACKEND="gpu" is not a backend; use one of tensorflow, cpu, wasm/);
  if (!native) assert.match(inChild(`await loadTf("tensorflow");`).out, /ERROR .*npm install @tensorflow\/tfjs-node@4\.22\.0/);
});
