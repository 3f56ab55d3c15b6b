/**
 * SIIT speed: ms per batch (behaviour, IIT and strict steps with their source run; batch 128, the standard preset)
 * on the wasm and cpu backends, for the smallest, a middle and the largest case model, best of the batches after a
 * warm-up; then models per hour per case at that speed with the epochs the cached population needed
 * (notebooks/cached-results/transformers/constant). The machine is shared: timings are noisy.
 * Run: npm run bench -- transformer
 */
import * as path from "node:path";
import { BackendName, loadTf } from "../src/backend";
import { RASP_CASES } from "../src/rasp/cases";
import { interpBenchConfig } from "../src/rasp/correspondence";
import { transformerParameterCount } from "../src/transformer";
import { readPopulation, siitPreset, trainSiit } from "../src/transformer/training";

async function msPerBatch(caseId: string, backend: BackendName, batches: number): Promise<number> {
  const program = RASP_CASES[caseId].program;
  const preset = siitPreset("standard");
  const times: number[] = [];
  let last = 0;
  await trainSiit({
    program,
    options: { backend, epochs: 1, nTrain: preset.batchSize * (batches + 1), nEval: 8 },
    onBatch: (b) => {
      const now = performance.now();
      if (b > 1) times.push(now - last); // batch 1 is the warm-up
      last = now;
    },
  });
  return Math.min(...times);
}

async function main() {
  const cases = ["48", "112", "59"];
  const speeds: Record<string, Record<string, number>> = {};
  for (const backend of ["wasm", "cpu"] as BackendName[]) {
    await loadTf(backend);
    for (const c of cases) {
      const ms = await msPerBatch(c, backend, backend === "cpu" ? 3 : 6);
      (speeds[c] ??= {})[backend] = ms;
      const cfg = interpBenchConfig(RASP_CASES[c].program);
      console.log(`case ${c.padEnd(4)} (${transformerParameterCount(cfg)} parameters, ${cfg.nLayers} layers, d_model ${cfg.dModel}): ${backend.padEnd(5)} ${ms.toFixed(0).padStart(5)} ms per SIIT batch`);
    }
  }
  for (const c of cases) console.log(`case ${c}: wasm is ${(speeds[c].cpu / speeds[c].wasm).toFixed(1)}× faster than cpu`);
  try {
    const records = readPopulation(path.join(__dirname, "..", "notebooks", "cached-results", "transformers", "constant"));
    console.log("\ncached population, per case (one worker per model): mean seconds per model and models per hour, as trained");
    let perCaseTotal = 0;
    for (const c of [...new Set(records.map((r) => r.case))]) {
      const rs = records.filter((r) => r.case === c);
      const mean = rs.reduce((s, r) => s + r.seconds, 0) / rs.length;
      perCaseTotal += mean;
      console.log(`  case ${c.padEnd(4)} ${rs.length} models, ${(rs.reduce((s, r) => s + r.epochs, 0) / rs.length).toFixed(1)} epochs, ${mean.toFixed(0).padStart(4)} s → ${(3600 / mean).toFixed(0)} models/hour`);
    }
    console.log(`  one model per case: ${(perCaseTotal / 60).toFixed(1)} min of one worker; 5 per case on 2 workers ≈ ${((5 * perCaseTotal) / 2 / 60).toFixed(0)} min`);
  } catch (e) {
    console.log(`(no cached population: ${(e as Error).message})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
