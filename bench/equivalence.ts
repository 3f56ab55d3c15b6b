/** Cost of the equivalence estimator: preparing nets, each measure per pair, a full study, class IIA, an IIT net. */
import { alignClasses, handBuiltPopulation, linearCKA, makeProbes, prepareNet, procrustesSimilarity, ridgePredictivity, runEquivalenceStudy, trainIITNet } from "../src/equivalence";

function time(label: string, runs: number, f: () => unknown): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  const ms = (performance.now() - t0) / runs;
  console.log(`${label}: ${ms.toFixed(2)} ms`);
  return ms;
}

(async () => {
  const pop = handBuiltPopulation(1, { perClass: 6, classes: ["C1", "C2", "C3"] });
  const probes = makeProbes(2, { n: 512 });
  const nets = pop.map((p) => prepareNet(p.model, probes));
  time("prepareNet (mean-ablation unit search + representation, 512 probes)", 20, () => prepareNet(pop[5].model, probes));
  const r = time("ridge √R² one direction (5-fold, 6 penalties, 512 probes)", 50, () => ridgePredictivity(nets[0].rep.x, nets[13].rep.x));
  const c = time("linear CKA", 200, () => linearCKA(nets[0].rep.x, nets[13].rep.x));
  time("Procrustes", 200, () => procrustesSimilarity(nets[0].rep.x, nets[13].rep.x));
  console.log(`ratio ridge / CKA: ${(r / c).toFixed(1)}×`);
  time("class catalog alignment (alignClasses, C1/C2/C3, all single-unit maps)", 20, () => alignClasses(pop[5].model));
  time("study, 18 nets, all measures (153 pairs, each score once)", 1, () => runEquivalenceStudy(pop, { seed: 1 }));
  const t0 = performance.now();
  const net = await trainIITNet("C1", { seed: 0 });
  console.log(`IIT C1 net (tfjs, 2000 steps × ${net.attempts} attempt(s)): ${(performance.now() - t0).toFixed(0)} ms`);
})();
