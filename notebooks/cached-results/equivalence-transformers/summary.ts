// Prints the cached transformer study (study.json beside this file) as the markdown tables of
// docs/equivalence-transformers.md: `npx tsx notebooks/cached-results/equivalence-transformers/summary.ts`.
import * as fs from "node:fs";
import * as path from "node:path";
import { TransformerStudyResult, indistinguishablePairs, selectivityEndpoints, withinBetweenSimilarity } from "../../../src";

const study = JSON.parse(fs.readFileSync(path.join(__dirname, "study.json"), "utf8")) as TransformerStudyResult;
const names = study.settings.algorithms;
const f2 = (x: number) => x.toFixed(2);
const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

console.log("Detection rate (rows A, columns B):\n");
console.log(table(["A \\ B", ...names], names.map((a, i) => [a, ...study.detection[i].map(f2)])));
console.log("\nMean p̂ (rows A, columns B):\n");
console.log(table(["A \\ B", ...names], names.map((a, i) => [a, ...study.meanWinRate[i].map(f2)])));
console.log("\nMean transfer s(A→B):\n");
console.log(table(["A \\ B", ...names], names.map((a, i) => [a, ...study.transfer[i].map(f2)])));
console.log("\nSelectivity end points:\n");
console.log(
  table(
    ["source", "k max", "same at 0", "others at 0", "same at k max", "others at k max"],
    selectivityEndpoints(study).map((e) => [e.source, e.kMax, f2(e.sameAtZero), f2(e.otherAtZero), f2(e.sameAtMax), f2(e.otherAtMax)]),
  ),
);
console.log("\nWithin- and between-algorithm similarity:\n");
console.log(table(["source", "within mean", "between mean"], withinBetweenSimilarity(study).map((w) => [w.measure, f2(mean(w.within)), f2(mean(w.between))])));
console.log("\nPairs detected in fewer than 80 % of bootstraps:\n");
console.log(table(["A", "B", "detection", "mean p̂", "shared stages"], indistinguishablePairs(study).map((h) => [h.source, h.target, f2(h.detection), f2(h.meanWinRate), h.sharedStages.join(", ") || "none"])));
console.log("\nImplementations:\n");
console.log(
  table(
    ["algorithm", "accuracy (min–max)", "columns per stage", "circuit heads"],
    names.map((a) => {
      const im = study.implementations.filter((x) => x.algorithm === a);
      return [a, `${f2(Math.min(...im.map((x) => x.accuracy)))}–${f2(Math.max(...im.map((x) => x.accuracy)))}`, im[0].columns.join("+"), im[0].circuitHeads];
    }),
  ),
);
console.log(`\nSeconds: ${JSON.stringify(study.seconds)}`);
