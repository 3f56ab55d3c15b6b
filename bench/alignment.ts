/**
 * Alignment search (SPEC 6-7): the released model (56 XOR candidates), and the 86 AND candidates on [2,4,4,1]
 * models trained with the fast engine (main.py's defaults, AND, seeds 0-2). alignGate caches the candidate list per
 * (gate, depth), so the first call (cold: enumeration + JIT warm-up) is timed apart from the best of several runs,
 * and the enumeration alone is timed uncached.
 */
import { alignGate, interventionTable, inclusionMinimal, pairSet, referenceMappings } from "../src/alignment";
import { candidateFormulas } from "../src/formulas";
import { MLP } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { trainExperimentSync } from "../src/train";
import { best } from "./lib/timing";


const summary = (m: MLP, gate: string, alignmentMode: "compat" | "corrected" = "compat") => () => {
  const r = alignGate(m, gate, { alignmentMode });
  const total = r.mappingsPerFormula.reduce((s, v) => s + v, 0);
  return `${r.nCandidates} candidates, ${r.formulas} aligned, ${total} minimal mappings; ${Object.entries(r.timingsMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")} ms`;
};

const released = loadReleasedModel().model;
const tc = performance.now();
alignGate(released, "XOR");
const tCold = performance.now() - tc;
console.log(`released [2,3,3,1] XOR, first call (cold: enumeration, JIT): ${tCold.toFixed(1)} ms`);
const tRel = best("released [2,3,3,1] XOR, compat, warm (reference ≈ 1.1 s: formulas 0.5 s + search 0.6 s)", summary(released, "XOR"));
best("released [2,3,3,1] XOR, corrected (12 pairs)", summary(released, "XOR", "corrected"));
best("candidate formulas only, XOR depth 3", () => `${candidateFormulas("XOR", 3).length} formulas`);

// The reference's exhaustive search + inclusion filter, on the same intervention table, for comparison.
best("released, reference-style exhaustive search + filter", () => {
  const table = interventionTable(released, 2);
  const pairs = pairSet("reference", 2);
  let n = 0;
  for (const c of candidateFormulas("XOR", 3)) n += inclusionMinimal(referenceMappings(c.formula, table, pairs), table).length;
  return `${n} minimal mappings`;
}, 3);

for (const seed of [0, 1, 2]) {
  const t0 = performance.now();
  const { result } = trainExperimentSync({ gates: ["AND"], size: 4, depth: 2, seed });
  const tTrain = performance.now() - t0;
  console.log(`trained [2,4,4,1] AND seed ${seed} (fast engine): ${result.epochs} epochs, val acc ${result.valAcc}, accepted ${result.accepted}, ${tTrain.toFixed(0)} ms`);
  best(`  86 AND candidates on it, compat`, summary(result.model, "AND"), 3);
}
console.log(`released-model search: ${tRel.toFixed(1)} ms warm (${tRel < 100 ? "meets" : "MISSES"} the < 100 ms target), ${tCold.toFixed(1)} ms for the first, cold call; 2 shared cores, noisy.`);
