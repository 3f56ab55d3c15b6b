/**
 * The exact perfect-circuit counter against today's enumerator (findCircuits) on the committed seed-0 network-size
 * models: candidates per second and the ratio on [2,4,4,1] and [2,5,5,1] with the reference's cut, then the wall
 * time of the billion-candidate counts ([2,5,5,1] without the cut, with and without the full node set; [2,6,6,1] with
 * the reference's rule), then the interpretations summed over their perfect circuits (aggregated; against circuit by
 * circuit where that fits). `npm run bench -- circuits-scale`; directly, `node --import tsx bench/circuits-scale.ts`
 * takes `--quick` (skips the 7·10⁹-candidate count and the per-circuit comparison) and `--write-cache` (writes the two
 * billion-candidate interpretation counts with their times to notebooks/cached-results/summed-interpretations-seed0.json,
 * which notebook 19 prints).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { countCandidatesExact, countPerfectCircuits, defaultMinSparsity, findCircuits } from "../src/circuits";
import { sumCircuitInterpretations } from "../src/interpretations";
import { ModelFile, modelFromJson } from "../src/model";
import { best } from "./lib/timing";

const quick = process.argv.includes("--quick");
const fixture = (k: number): ModelFile =>
  modelFromJson(JSON.parse(readFileSync(join(__dirname, "..", "test", "fixtures", "network-size", `xor_2-${k}-${k}-1_seed0.json`), "utf8")));
const rate = (n: number, ms: number) => `${(n / (ms / 1000)).toExponential(2)} candidates/s`;

for (const k of [4, 5]) {
  const f = fixture(k);
  const opts = { minSparsity: defaultMinSparsity(f.model.layerSizes) };
  let n = 0;
  const tEnum = best(`[2,${k},${k},1] seed 0, reference cut: findCircuits`, () => {
    const r = findCircuits(f.model, f.val!, { ...opts, metrics: false });
    n = r.nCandidates;
    return `${r.nCandidates} candidates, ${r.circuits.length} perfect`;
  }, 1);
  const tCount = best(`[2,${k},${k},1] seed 0, reference cut: countPerfectCircuits`, () => {
    const r = countPerfectCircuits(f.model, f.val!, opts);
    return `${r.perfect} perfect, ${r.visited} prefix states visited of ≤ ${r.estimatedWork}`;
  });
  console.log(`  enumerator ${rate(n, tEnum)}, counter ${rate(n, tCount)}: ${(tEnum / tCount).toFixed(1)}× faster`);
}

const big: [number, string, { minSparsity?: number; includeFullNodeSet?: boolean }][] = [
  [5, "no sparsity cut", { minSparsity: 0 }],
  [6, "reference cut", {}],
];
if (!quick) big.push([5, "no sparsity cut, full node set", { minSparsity: 0, includeFullNodeSet: true }]);
for (const [k, what, opts] of big) {
  const f = fixture(k);
  let n = 0;
  const t = best(`[2,${k},${k},1] seed 0, ${what}: countPerfectCircuits`, () => {
    const r = countPerfectCircuits(f.model, f.val!, opts);
    n = r.nCandidates;
    return `${r.nCandidates} candidates, ${r.perfect} perfect, ${r.visited} prefix states visited of ≤ ${r.estimatedWork}`;
  }, 1);
  console.log(`  ${rate(n, t)}`);
}

// Interpretations summed over the perfect circuits: aggregated against circuit by circuit where that fits.
if (!quick)
  for (const k of [4, 5]) {
    const f = fixture(k);
    const opts = { minSparsity: defaultMinSparsity(f.model.layerSizes) };
    const tPer = best(`[2,${k},${k},1] seed 0, reference cut: interpretations summed circuit by circuit`, () => {
      const r = sumCircuitInterpretations(f.model, f.val!, f.xTt!, { ...opts, method: "per-circuit" });
      return `${r.circuits} circuits, ${r.interpretations} interpretations`;
    }, 1);
    const tAgg = best(`[2,${k},${k},1] seed 0, reference cut: interpretations summed, aggregated`, () => {
      const r = sumCircuitInterpretations(f.model, f.val!, f.xTt!, { ...opts, method: "aggregated" });
      return `${r.circuits} circuits, ${r.interpretations} interpretations`;
    }, 1);
    console.log(`  aggregated ${(tPer / tAgg).toFixed(1)}× faster`);
  }

// The two billion-candidate models: wall and CPU time (the machine is shared: CPU time is the steadier figure).
const summed: object[] = [];
for (const [k, what, opts] of big.slice(0, 2)) {
  const f = fixture(k);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = sumCircuitInterpretations(f.model, f.val!, f.xTt!, opts);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`[2,${k},${k},1] seed 0, ${what}: interpretations summed (${r.method}): ${r.circuits} circuits, ${r.interpretations} interpretations, wall ${wall.toFixed(1)} s, CPU ${cpuSeconds.toFixed(1)} s`);
  summed.push({
    model: `[2,${k},${k},1]`,
    fixture: `test/fixtures/network-size/xor_2-${k}-${k}-1_seed0.json`,
    settings: what,
    options: opts,
    candidates: String(countCandidatesExact(f.model.layerSizes, opts)),
    perfect_circuits: r.circuits,
    interpretations: String(r.interpretations),
    method: r.method,
    wall_seconds: Number(wall.toFixed(1)),
    cpu_seconds: Number(cpuSeconds.toFixed(1)),
  });
}
if (process.argv.includes("--write-cache")) {
  const file = join(__dirname, "..", "notebooks", "cached-results", "summed-interpretations-seed0.json");
  const cache = {
    command: "node --import tsx bench/circuits-scale.ts --quick --write-cache",
    measured: `${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores (times are noisy on a shared machine)`,
    models: summed,
  };
  writeFileSync(file, JSON.stringify(cache, null, 2) + "\n");
  console.log(`wrote ${file}`);
}
