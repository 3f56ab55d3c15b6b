/** Circuit search + grounding counts: the released model, and [2,4,4,1] / [2,5,5,1] models (seeded random weights). */
import * as fs from "node:fs";
import { findCircuits } from "../src/circuits";
import { countGroundings, groundingProblem } from "../src/interpretations";
import { modelFromJson, mlpFromArrays, forwardAll, roundHalfEven } from "../src/model";
import { Rng } from "../src/rng";
import { loadReleasedModel } from "../src/reference";
import { cleanInputs, getGate } from "../src/tasks";

function best(label: string, f: () => string, runs = 3): void {
  let t = Infinity;
  let info = "";
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    info = f();
    t = Math.min(t, performance.now() - t0);
  }
  console.log(`${label}: best of ${runs} ${t.toFixed(1)} ms  (${info})`);
}
const clean = (y: ArrayLike<number>) => ({ x: cleanInputs(2), y: Float32Array.from(y), n: 4, nInputs: 2, nOutputs: 1 });
const released = loadReleasedModel().model;
best("released [2,3,3,1], clean, circuits + groundings", () => {
  const r = findCircuits(released, clean(getGate("XOR").table));
  const g = r.circuits.map((c) => countGroundings(groundingProblem(released, c, cleanInputs(2), 4)));
  return `${r.nCandidates} candidates, ${r.circuits.length} perfect, ${g.reduce((a, b) => a + b, 0)} groundings`;
});
for (const sizes of [[2, 4, 4, 1], [2, 5, 5, 1]]) {
  const rng = new Rng(42);
  const m = mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal()))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.3)), ["XOR"]);
  // XOR labels: a random network rarely computes XOR, so few circuits pass (as with a trained model, whose circuits
  // are a small fraction of the candidates); every candidate is still evaluated.
  const labels = getGate("XOR").table;
  void forwardAll; void roundHalfEven;
  best(`random [${sizes}] (XOR labels), circuit search only`, () => {
    const r = findCircuits(m, clean(labels), { metrics: false });
    return `${r.nCandidates} candidates, ${r.circuits.length} perfect`;
  });
  if (process.argv.includes("--ground-all")) best(`random [${sizes}] (XOR labels), circuits + groundings`, () => {
    const r = findCircuits(m, clean(labels), { metrics: false });
    const g = r.circuits.map((c) => countGroundings(groundingProblem(m, c, cleanInputs(2), 4)));
    return `${r.nCandidates} candidates, ${r.circuits.length} perfect, ${g.reduce((a, b) => a + b, 0)} groundings`;
  });
}
