import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { referencePath } from "../src/reference";

const MODEL = referencePath("xor_mlp_meloux2025.json");
const cli = (...args: string[]) => execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "analyze", ...args], { encoding: "utf8" });

test("analyze --json on the released model (clean default data, no alignment)", () => {
  const out = JSON.parse(cli("--model", MODEL, "--json", "--no-align"));
  assert.equal(out.outputs.length, 1);
  assert.equal(out.outputs[0].n_candidates, 3000);
  assert.equal(out.outputs[0].perfect_circuits, 32);
  assert.equal(out.outputs[0].formulas, null);
});

test("analyze readable summary and bad options", () => {
  assert.match(cli("--model", MODEL, "--no-align", "--mode", "corrected"), /perfect circuits:\s+32/);
  assert.throws(() => cli("--model", MODEL, "--mode", "wrong"), /compat, corrected/);
});

test("analyze --json aligns the released model's formulas (SPEC 11: 7 formulas, 2,2,12,12,6,6,2)", () => {
  for (const order of ["BA", "AB"]) {
    const o = JSON.parse(cli("--model", MODEL, "--json", "--pair-order", order)).outputs[0];
    assert.equal(o.formulas, 7);
    assert.deepEqual(o.mappings_per_formula, [2, 2, 12, 12, 6, 6, 2]);
    assert.deepEqual(o.aligned.map((a: { index: number }) => a.index), [0, 1, 22, 26, 36, 37, 41]);
    assert.equal(o.aligned[0].formula, "¬(A*B)*(A+B)");
    assert.deepEqual(o.aligned[0].mappings[0], { "A+B 4": [[1, 1]], "¬(A*B) 7": [[1, 0]] });
  }
  const c = JSON.parse(cli("--model", MODEL, "--json", "--mode", "corrected", "--max-circuits", "2")).outputs[0];
  assert.deepEqual(c.mappings_per_formula, [1, 1]);
  assert.match(cli("--model", MODEL, "--max-circuits", "1"), /aligned formulas:\s+7 \(minimal mappings per formula: 2, 2, 12, 12, 6, 6, 2\)/);
  assert.match(cli("--model", MODEL, "--max-circuits", "1"), /#22 .*: 12 minimal mappings \(20 valid\)/);
  assert.throws(() => cli("--model", MODEL, "--iia-threshold", "0.5"), /compat mode requires IIA = 1/);
});
