// Regenerates this folder (see README.md): nice -n 10 node --import tsx notebooks/cached-results/token-xor/regenerate.ts [--resume]
// Trains the population (records.jsonl, models/), then runs the estimator's settings on it (clustering.json).
import * as path from "node:path";
import { runTokenXorPopulation, writeTokenXorClustering } from "../../../src/equivalence-transformers/token-xor-population";

async function main(): Promise<void> {
  const out = path.resolve(__dirname);
  const started = Date.now();
  if (!process.argv.includes("--clustering-only")) {
    const { ran, skipped } = await runTokenXorPopulation({
      out,
      resume: process.argv.includes("--resume"),
      onRecord: (r, done, total) =>
        console.log(`${done}/${total} ${r.key}: accuracy ${r.accuracy.toFixed(3)}, IIA min ${r.iiaMin.toFixed(3)}, ${r.kept ? "kept" : "dropped"}, ${r.epochs} epochs, ${r.seconds.toFixed(0)} s`),
    });
    console.log(`trained ${ran}, skipped ${skipped}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  writeTokenXorClustering(out, (e) => console.log(`${e.name}: ARI ${e.result.ari.toFixed(3)}, within ${e.result.withinMean.toFixed(3)}, between ${e.result.betweenMean.toFixed(3)}, ${e.seconds.toFixed(1)} s`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
