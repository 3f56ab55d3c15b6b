// `mi-identifiability discover` from the sources: one model (--json equals the library's verdicts), refusals that
// name the option, and the study mode appending one line per model and resuming without duplicates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultAnalysisData, discoverModel, exhaustiveTruth, loadReleasedModel, readDiscoveryRecords } from "../src";
import { referencePath } from "../src/reference";

const MODEL = referencePath("xor_mlp_meloux2025.json");
const root = path.resolve(__dirname, "..");
const discover = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "discover", ...args], { cwd: root, encoding: "utf8" });

test("discover --json: one outcome per swept value, equal to the library's verdicts", () => {
  const r = discover("--method", "masks", "--model", MODEL, "--lambda", "0", "1", "--json");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { n_perfect: number; outcomes: { ms: number }[] };
  assert.equal(out.n_perfect, 32);
  const { model } = loadReleasedModel();
  const lib = discoverModel(model, exhaustiveTruth(model, defaultAnalysisData("XOR", 2).val), [{ method: "masks", lambda: 0 }, { method: "masks", lambda: 1 }]);
  assert.deepEqual(out.outcomes.map((o) => ({ ...o, ms: 0 })), lib.map((o) => ({ ...o, ms: 0 })));
  assert.equal((out.outcomes[0] as unknown as { edges: number }).edges, 18, "λ = 0 keeps every edge");
});

test("discover refuses a gradient method with the accuracy metric, and a missing --method", () => {
  const r = discover("--method", "eap", "--model", MODEL, "--metric", "accuracy");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /accuracy has no gradient/);
  const m = discover("--model", MODEL);
  assert.notEqual(m.status, 0);
  assert.match(m.stderr, /--method is required/);
});

test("discover --study appends one line per accepted model and resumes without duplicates", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "discover-"));
  const lines = fs.readFileSync("notebooks/cached-results/network-size.jsonl", "utf8").split("\n").filter(Boolean);
  // Two accepted models (k = 2 and 3) and one rejected.
  const pick = [lines.find((l) => /"sizes":2,/.test(l) && /"accepted":true/.test(l))!, lines.find((l) => /"sizes":3,/.test(l) && /"accepted":true/.test(l))!, lines.find((l) => /"accepted":false/.test(l))!];
  const records = path.join(dir, "records.jsonl");
  fs.writeFileSync(records, pick.join("\n") + "\n");
  const out = path.join(dir, "discovery.jsonl");
  const r = discover("--study", records, "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readDiscoveryRecords(out).length, 2);
  assert.match(r.stdout, /acdc τ=0\.01/);
  const again = discover("--study", records, "--out", out);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fs.readFileSync(out, "utf8").trim().split("\n").length, 2, "resume adds nothing");
  fs.rmSync(dir, { recursive: true });
});
