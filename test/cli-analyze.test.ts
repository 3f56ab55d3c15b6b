import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const MODEL = "/work/shared/reference/xor_mlp_meloux2025.json";
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
