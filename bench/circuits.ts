/** Circuit search + grounding counts: the released model, trained [2,4,4,1] / [2,5,5,1] XOR models, and random weights. */
import { findCircuits } from "../src/circuits";
import { countGroundings, groundingProblem } from "../src/interpretations";
import { mlpFromArrays } from "../src/model";
import { Rng } from "../src/rng";
import { loadReleasedModel } from "../src/reference";
import { trainExperimentSync } from "../src/train";
import { cleanInputs, getGate } from "../src/tasks";
import { best } from "./lib/timing";

const clean = (y: ArrayLike<number>) => ({ x: cleanInputs(2), y: Float32Array.from(y), n: 4, nInputs: 2, nOutputs: 1 });
const released = loadReleasedModel().model;
best("released [2,3,3,1], clean, circuits + groundings", () => {
  const r = findCircuits(released, clean(getGate("XOR").table));
  const g = r.circuits.map((c) => countGroundings(groundingProblem(released, c.masks, cleanInputs(2), 4)));
  return `${r.nCandidates} candidates, ${r.circuits.length} perfect, ${g.reduce((a, b) => a + b, 0)} groundings`;
});
// Trained XOR models of the network-size study (the first accepted seed of each width): realistic circuit counts,
// where grounding dominates. Seeded random weights as well, for the circuit search alone.
for (const k of [4, 5]) {
  let seedOffset = 0;
  let trained = trainExperimentSync({ gates: ["XOR"], size: k, seedOffset });
  while (!trained.result.accepted) trained = trainExperimentSync({ gates: ["XOR"], size: k, seedOffset: ++seedOffset });
  const m = trained.result.model;
  best(`trained [${m.layerSizes}] XOR (seed offset ${seedOffset}), clean, circuits + groundings`, () => {
    const r = findCircuits(m, clean(getGate("XOR").table), { metrics: false });
    const g = r.circuits.map((c) => countGroundings(groundingProblem(m, c.masks, cleanInputs(2), 4)));
    return `${r.nCandidates} candidates, ${r.circuits.length} perfect, ${g.reduce((a, b) => a + b, 0)} groundings`;
  });
}
for (const sizes of [[2, 4, 4, 1], [2, 5, 5, 1]]) {
  const rng = new Rng(42);
  const m = mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal()))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.3)), ["XOR"]);
  const labels = getGate("XOR").table;
  best(`random [${sizes}] (XOR labels), circuit search only`, () => {
    const r = findCircuits(m, clean(labels), { metrics: false });
    return `${r.nCandidates} candidates, ${r.circuits.length} perfect`;
  });
}
