// npm run bench -- experiments: the basic study (100 seeds) end to end — training, circuits, interpretations,
// alignments — on all cores (target < 2 min on 2 cores), and the network-size study at k = 5 for 10 seeds.
// Uses the worker threads, which run the built dist/ (node scripts/build.js first). Timings are wall clock.
import { getStudy, runStudy, modelCounts, median, defaultWorkers, StudyRecord } from "../src/index";

function perStage(records: StudyRecord[]): string {
  const keys = ["train", "circuits", "interpretations", "alignment"];
  return keys.map((k) => `${k} ${(records.reduce((s, r) => s + (r.timings_ms[k] ?? 0), 0) / 1000).toFixed(1)} s`).join(", ");
}

async function time(label: string, study: string, grid: ReturnType<typeof getStudy>["grid"]): Promise<void> {
  const workers = defaultWorkers();
  const t0 = performance.now();
  const { records } = await runStudy({ study, grid, workers });
  const s = (performance.now() - t0) / 1000;
  const accepted = records.map(modelCounts).filter((c) => c !== null);
  const med = (k: "circuits" | "interpretations" | "distinctInterpretations" | "algorithms" | "mappings") => median(accepted.map((c) => c![k] ?? 0));
  console.log(`${label}: ${records.length} models (${accepted.length} accepted) in ${s.toFixed(1)} s wall on ${workers} workers, ${(s / records.length).toFixed(2)} s/model`);
  console.log(`  CPU time per stage (summed over models): ${perStage(records)}`);
  console.log(`  medians per model: circuits ${med("circuits")}, interpretations ${med("interpretations")} (distinct ${med("distinctInterpretations")}), algorithms ${med("algorithms")}, mappings ${med("mappings")}`);
}

async function main(): Promise<void> {
  await time("basic, 100 seeds", "basic", { ...getStudy("basic").grid, experiments: 100 });
  await time("network size k = 5, 10 seeds", "network-size", { ...getStudy("network-size").grid, sizes: [5], experiments: 10 });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
