// npm run bench -- network-size-definitions: what "interpretations per model" gives under several definitions, on the
// network-size study's own models (same jobs, same seeds, trained again on the fast engine), beside the paper's figure.
// The numbers of docs/findings-network-size.md. NETWORK_SIZE_MODELS=N (default 10) accepted models per width k;
// NETWORK_SIZE_WIDTHS picks the widths (default 2,3,4, about 1.5 min; k = 5 costs about 40 s per model, pooled counts
// dominating, so it is opt-in: NETWORK_SIZE_WIDTHS=5).
import { PerfectCircuit, findCircuits, sparsestCircuits } from "../src/circuits";
import { getStudy, jobExperimentConfig, mean, median, studyJobs } from "../src/experiments";
import { countDistinctInterpretations, countGroundings, countPooledDistinctInterpretations, groundingProblem } from "../src/interpretations";
import { trainExperimentSync } from "../src/train";
import { MLP } from "../src/model";

const perWidth = Number(process.env.NETWORK_SIZE_MODELS ?? 10);
const widths = (process.env.NETWORK_SIZE_WIDTHS ?? "2,3,4").split(",").map(Number);

/** The paper's figure (blog network_size.png, read off its log axis): medians and means of interpretations per model. */
const PAPER: Record<number, { median: number; mean: number }> = {
  2: { median: 38, mean: 33 },
  3: { median: 6.2e3, mean: 2.5e4 },
  4: { median: 2.0e5, mean: 2.5e6 },
  5: { median: 9.2e5, mean: 3e6 },
};

type Definition = { name: string; value: (m: ModelCase) => number | null };
interface ModelCase {
  k: number;
  model: MLP;
  circuits: PerfectCircuit[];
  /** Perfect circuits with the full node set admitted (k ≤ 3; above, main.py's min-sparsity rule excludes it). */
  circuitsFull: PerfectCircuit[] | null;
  xTt: { x: Float32Array; n: number };
}

const problems = (m: ModelCase, cs: PerfectCircuit[]) => cs.map((c) => groundingProblem(m.model, c.masks, m.xTt.x, m.xTt.n));
const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const DEFINITIONS: Definition[] = [
  { name: "groundings, summed over circuits (main.py)", value: (m) => sumOf(problems(m, m.circuits).map(countGroundings)) },
  { name: "groundings, full node set admitted", value: (m) => (m.circuitsFull ? sumOf(problems(m, m.circuitsFull).map(countGroundings)) : null) },
  { name: "distinct label dicts per circuit, summed", value: (m) => sumOf(problems(m, m.circuits).map(countDistinctInterpretations)) },
  { name: "distinct label dicts, full node set, summed", value: (m) => (m.circuitsFull ? sumOf(problems(m, m.circuitsFull).map(countDistinctInterpretations)) : null) },
  { name: "distinct label dicts pooled over circuits", value: (m) => countPooledDistinctInterpretations(problems(m, m.circuits)) },
  { name: "groundings per circuit (mean over circuits)", value: (m) => (m.circuits.length ? sumOf(problems(m, m.circuits).map(countGroundings)) / m.circuits.length : 0) },
  { name: "groundings of the sparsest circuit", value: (m) => (m.circuits.length ? countGroundings(problems(m, sparsestCircuits(m.circuits, 1))[0]) : 0) },
  { name: "distinct label dicts of the sparsest circuit", value: (m) => (m.circuits.length ? countDistinctInterpretations(problems(m, sparsestCircuits(m.circuits, 1))[0]) : 0) },
];

const fmt = (x: number | null) => (x === null ? "–" : x >= 1e5 ? x.toExponential(1).replace("e+", "·10^") : String(Number(x.toPrecision(3))));

const grid = getStudy("network-size").grid;
const rows: string[] = [];
for (const k of widths) {
  const jobs = studyJobs({ ...grid, sizes: [k] });
  const cases: ModelCase[] = [];
  const t0 = performance.now();
  for (const job of jobs) {
    if (cases.length === perWidth) break;
    const { data, result } = trainExperimentSync(jobExperimentConfig(grid, job));
    if (!result.accepted) continue;
    const circuits = findCircuits(result.model, data.val, { metrics: false }).circuits;
    const circuitsFull = k <= 3 ? findCircuits(result.model, data.val, { metrics: false, includeFullNodeSet: true }).circuits : null;
    cases.push({ k, model: result.model, circuits, circuitsFull, xTt: data.xTt });
  }
  const values = DEFINITIONS.map((d) => {
    const vs = cases.map(d.value);
    if (vs.some((v) => v === null)) return null;
    const nonZero = (vs as number[]).filter((v) => v > 0);
    return { median: median(nonZero), mean: mean(nonZero), max: nonZero.length ? Math.max(...nonZero) : null, zeros: vs.length - nonZero.length };
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`k = ${k}: ${cases.length} accepted models (first seeds of the study), ${seconds.toFixed(1)} s; paper median ${fmt(PAPER[k].median)}, mean ${fmt(PAPER[k].mean)}`);
  DEFINITIONS.forEach((d, i) => {
    const v = values[i];
    if (!v) return;
    console.log(`  ${d.name.padEnd(46)} median ${fmt(v.median).padStart(9)}  mean ${fmt(v.mean).padStart(9)}  max ${fmt(v.max).padStart(9)}  zeros ${v.zeros}`);
    rows.push(`| ${k} | ${d.name} | ${fmt(v.median)} | ${fmt(v.mean)} | ${fmt(v.max)} | ${v.zeros} | ${fmt(PAPER[k].median)} |`);
  });
}
console.log("\n| k | definition (per model, non-zero models) | median | mean | max | zeros | paper median |\n|---|---|---|---|---|---|---|");
console.log(rows.join("\n"));
