/**
 * DAS against the exhaustive neuron-set search, per model: the released model and one retrained network-size model
 * per width k = 3, 4, 5 (seed offset 2). Neuron sets: alignGate (every candidate formula, compat) and the best
 * neuron-set IIA of every formula (bestNeuronSetIia). DAS: every formula that fits a layer, 2 restarts × every hidden
 * layer, 200 steps, and the same restricted to formulas of at most 3 variables (the cached study's setting). One DAS
 * fit of the hierarchical-equality task (2048 pairs, 400 steps, 16 wide) is timed too. Timings are noisy on a shared
 * machine; DAS runs once (it is the slow side), the neuron-set search is the best of 3.
 */
import { alignGate } from "../src/alignment";
import { bestNeuronSetIia, dasAlignGate, fitHierarchicalEqualityDas, retrainRecordModel } from "../src/das";
import { readRecords } from "../src/experiments";
import { MLP, modelFromJson } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { best } from "./lib/timing";
import * as fs from "node:fs";
import * as path from "node:path";

const models: [string, MLP][] = [["released [2,3,3,1]", loadReleasedModel().model]];
const records = readRecords(path.join(__dirname, "..", "notebooks/cached-results/network-size.jsonl"));
for (const k of [3, 4, 5]) {
  const r = records.find((x) => x.accepted && x.sizes === k && x.seed_offset >= 2)!;
  models.push([`network-size k = ${k} seed offset ${r.seed_offset}`, retrainRecordModel(r)]);
}
for (const [name, m] of models) {
  best(`${name}: neuron sets, alignGate`, () => `${alignGate(m, "XOR").formulas} aligned`);
  best(`${name}: neuron sets, best IIA per formula`, () => `${bestNeuronSetIia(m, "XOR", "reference").filter((v) => v === 1).length} at IIA 1`);
  for (const maxVariables of [3, undefined]) {
    const t0 = performance.now();
    const r = dasAlignGate(m, "XOR", { restarts: 2, steps: 200, maxVariables });
    console.log(`${name}: DAS, ${maxVariables ? "formulas ≤ 3 variables" : "every formula that fits a layer"}: ${(performance.now() - t0).toFixed(0)} ms (${r.formulas.filter(Boolean).length} formulas, ${r.aligned.length} aligned)`);
  }
}
const heq = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "test/fixtures/das-hierarchical-equality.json"), "utf8"));
const t0 = performance.now();
const fit = fitHierarchicalEqualityDas(modelFromJson(heq.model).model, { nPairs: 2048, steps: 400 });
console.log(`hierarchical equality, one DAS fit (16 wide, 2048 pairs, ${fit.steps} steps): ${(performance.now() - t0).toFixed(0)} ms`);
