/**
 * The exact perfect-circuit counter against today's enumerator (findCircuits) on the committed seed-0 network-size
 * models: candidates per second and the ratio on [2,4,4,1] and [2,5,5,1] with the reference's cut, then the wall
 * time of the billion-candidate counts ([2,5,5,1] without the cut, with and without the full node set; [2,6,6,1] with
 * the reference's rule) and of the interpretations summed over the perfect circuits where that fits.
 * `npm run bench -- circuits-scale` (add `--quick` to skip the 7·10⁹-candidate count and the summed interpretations).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { countPerfectCircuits, defaultMinSparsity, findCircuits } from "../src/circuits";
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

if (!quick)
  for (const k of [4, 5]) {
    const f = fixture(k);
    best(`[2,${k},${k},1] seed 0, reference cut: interpretations summed over the perfect circuits`, () => {
      const r = sumCircuitInterpretations(f.model, f.val!, f.xTt!);
      return `${r.circuits} circuits, ${r.interpretations} interpretations`;
    }, 1);
  }
