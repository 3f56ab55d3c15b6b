/**
 * Discovery methods against the exhaustive search: time per model of each method (default setting, zero ablation)
 * and of findCircuits on the same model, for the released [2,3,3,1] network and the first accepted trained XOR model
 * of widths 4 and 5 (the network-size study's seeds).
 */
import { defaultAnalysisData } from "../src/analysis";
import { DiscoverySetting, discoveryGraph, discoveryTask, exhaustiveTruth, runDiscovery } from "../src/discovery";
import { MLP } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { trainExperimentSync } from "../src/train";
import { Dataset } from "../src/tasks";
import { best } from "./lib/timing";

const models: [string, MLP, Dataset][] = [["released [2,3,3,1]", loadReleasedModel().model, defaultAnalysisData("XOR", 2).val]];
for (const k of [4, 5]) {
  let seedOffset = 0;
  let t = trainExperimentSync({ gates: ["XOR"], size: k, seedOffset });
  while (!t.result.accepted) t = trainExperimentSync({ gates: ["XOR"], size: k, seedOffset: ++seedOffset });
  models.push([`trained [2,${k},${k},1] seed offset ${seedOffset}`, t.result.model, t.data.val]);
}
const settings: DiscoverySetting[] = [
  { method: "acdc", tau: 0.01 },
  { method: "eap", topK: 8 },
  { method: "eap-ig", topK: 8, steps: 5 },
  { method: "masks", maskKind: "edges", lambda: 1 },
  { method: "masks", maskKind: "nodes", lambda: 1 },
];
for (const [name, model, val] of models) {
  const exhaustive = best(`${name}: exhaustive search (findCircuits)`, () => {
    const truth = exhaustiveTruth(model, val);
    return `${truth.nCandidates} candidates, ${truth.perfect.length} perfect`;
  }, name.includes(",5,") ? 1 : 3);
  const g = discoveryGraph(model);
  const task = discoveryTask(model, val);
  for (const s of settings) {
    const ms = best(`${name}: ${s.method}${s.maskKind ? " " + s.maskKind : ""}`, () => `${runDiscovery(model, g, task, s).kept.reduce((a, b) => a + b, 0)} edges kept`);
    console.log(`  → ${(exhaustive / ms).toPrecision(2)}× the exhaustive search's speed`);
  }
}
