// `mi-identifiability das`: one model (the rotated-copy oracle network), the study mode over a small results file
// (retrained models checked against their records' neuron-set verdicts, appended, resumed), and refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { modelToJson } from "../src/model";
import { rotatedXorNetwork } from "../src/das";

const root = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "das-cli-"));
function das(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "das", ...args], { cwd: root, encoding: "utf8" });
}

test("das --model --layer 2 --json: the oracle's formula aligned by DAS in the rotated layer", () => {
  const file = path.join(tmp, "rotated.json");
  fs.writeFileSync(file, JSON.stringify(modelToJson(rotatedXorNetwork(1.1, 2))));
  const r = das("--model", file, "--layer", "2", "--formulas", "0,1", "--json");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.gate, "XOR");
  assert.deepEqual(out.das_aligned, [0, 1]);
  const f0 = out.formulas.find((f: { index: number }) => f.index === 0);
  assert.equal(f0.formula, "¬(A*B)*(A+B)");
  assert.equal(f0.layer, 2);
  assert.equal(f0.das_iia, 1);
  // Neuron sets align it too, in layer 1 (p and q on their own neurons): the neuron-set verdict covers both layers.
  assert.equal(f0.neuron_iia, 1);
});

test("das --study: retrained models agree with their records, verdicts appended and resumed", () => {
  const lines = fs.readFileSync(path.join(root, "notebooks/cached-results/network-size.jsonl"), "utf8").trim().split("\n");
  const picked = lines.filter((l) => {
    const r = JSON.parse(l);
    return r.accepted && r.sizes === 3 && r.seed_offset < 6;
  }).slice(0, 2);
  assert.equal(picked.length, 2);
  const dir = path.join(tmp, "study");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "results.jsonl"), picked.join("\n") + "\n");
  const r = das("--study", dir, "--restarts", "1", "--steps", "60");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /2 accepted models, 2 to run/);
  assert.match(r.stdout, /^size\s+models/m);
  const recs = fs.readFileSync(path.join(dir, "das.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(recs.length, 2);
  for (const rec of recs) {
    // Oracle: the neuron-set verdict recomputed on the retrained model equals the cached record's count.
    assert.equal(rec.neuron_aligned.length, rec.record_formulas);
    assert.equal(rec.das_iia.length, 56);
    for (const i of rec.das_aligned) assert.equal(rec.das_iia[i], 1);
  }
  const again = das("--study", dir, "--restarts", "1", "--steps", "60");
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /0 to run/);
  assert.equal(fs.readFileSync(path.join(dir, "das.jsonl"), "utf8").trim().split("\n").length, 2);
});

test("das refuses a missing study and a model without a gate, naming the fix", () => {
  const r = das("--study", path.join(tmp, "nope"));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--study .*nope does not exist/);
  const file = path.join(tmp, "nogate.json");
  fs.writeFileSync(file, JSON.stringify({ ...modelToJson(rotatedXorNetwork()), gates: [] }));
  const g = das("--model", file);
  assert.notEqual(g.status, 0);
  assert.match(g.stderr, /--gate/);
});
