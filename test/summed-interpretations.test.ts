// Interpretations summed over the perfect circuits: the aggregated count (signature multisets over the counter's walk)
// against the plain enumerator with each circuit grounded on its own (findCircuits + countGroundings), and against
// the per-circuit summation over the counter's listing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { countCandidatesExact, countPerfectCircuits, defaultMinSparsity, findCircuits } from "../src/circuits";
import { MLP, forwardAll, modelFromJson, roundHalfEven } from "../src/model";
import { InputError } from "../src/errors";
import { Rng } from "../src/rng";
import { GroundingMode, countGroundings, groundingProblem, sumCircuitInterpretations } from "../src/interpretations";
import { Dataset, cleanInputs } from "../src/tasks";
import { fixture, randomModel } from "./network-size-models";

/** Clean inputs (twice, in a shuffled order), labelled with the full model's rounded outputs clipped to {0, 1}: the full circuit passes, and the labels are whatever gate the network computes (constant ones included). */
function selfLabelled(m: MLP): Dataset {
  const x4 = cleanInputs(2);
  const full = forwardAll(m, x4, 4)[m.layerSizes.length - 1];
  const order = [2, 0, 3, 1, 1, 3, 0, 2];
  return {
    x: Float32Array.from(order.flatMap((r) => [x4[2 * r], x4[2 * r + 1]])),
    y: Float32Array.from(order.map((r) => Math.min(1, Math.max(0, roundHalfEven(full[r]))))),
    n: order.length,
    nInputs: 2,
    nOutputs: 1,
  };
}

/** The oracle: the plain enumerator's perfect circuits, each grounded on its own. */
function oracle(m: MLP, data: Dataset, opts: { minSparsity?: number; includeFullNodeSet?: boolean }, mode: GroundingMode): { circuits: number; interpretations: bigint } {
  const circuits = findCircuits(m, data, { ...opts, metrics: false }).circuits;
  let interpretations = 0n;
  for (const c of circuits) interpretations += BigInt(countGroundings(groundingProblem(m, c.masks, data.x, data.n, mode)));
  return { circuits: circuits.length, interpretations };
}

test("aggregated equals the plain enumerator grounded circuit by circuit on every [2,a,b,1] with a, b ≤ 3 and every [2,a,1] with a ≤ 4, over random weights", () => {
  const rng = new Rng(4242);
  const settings: { minSparsity?: number; includeFullNodeSet?: boolean }[] = [{ minSparsity: 0, includeFullNodeSet: true }, {}, { minSparsity: 0.3 }];
  let nonZero = 0;
  let beyondFloat = 0;
  const shapes: number[][] = [];
  for (let a = 1; a <= 3; a++) for (let b = 1; b <= 3; b++) shapes.push([2, a, b, 1]);
  for (let a = 1; a <= 4; a++) shapes.push([2, a, 1]);
  for (const sizes of shapes)
    for (let draw = 0; draw < 3; draw++) {
      const m = randomModel(sizes, rng);
      const data = selfLabelled(m);
      for (const opts of settings)
        for (const mode of ["compat", "corrected"] as const) {
          const what = `[${sizes.join(",")}] draw ${draw} ${JSON.stringify(opts)} ${mode}`;
          const want = oracle(m, data, opts, mode);
          const got = sumCircuitInterpretations(m, data, data, { ...opts, groundingMode: mode, method: "aggregated" });
          assert.equal(got.method, "aggregated", what);
          assert.equal(got.circuits, want.circuits, what);
          assert.equal(got.interpretations, want.interpretations, what);
          if (want.interpretations > 0n) nonZero++;
          if (want.interpretations > 2n ** 20n) beyondFloat++;
        }
    }
  assert.ok(nonZero >= 150, `only ${nonZero} of ${shapes.length * 18} cases have any interpretation`);
  assert.ok(beyondFloat >= 5, `only ${beyondFloat} cases with large counts`);
});

test("trained seed-0 models with the reference's cut: aggregated equals the per-circuit summation and the study's records", () => {
  const expected: Record<number, bigint> = { 3: 8768n, 4: 311_939_788n };
  for (const k of [3, 4, 5]) {
    const f = fixture(k);
    const opts = { minSparsity: defaultMinSparsity(f.model.layerSizes) };
    const agg = sumCircuitInterpretations(f.model, f.val!, f.xTt!, opts);
    assert.equal(agg.method, "aggregated", `k = ${k}: the clean-data default`);
    const per = sumCircuitInterpretations(f.model, f.val!, f.xTt!, { ...opts, method: "per-circuit" });
    assert.equal(per.method, "per-circuit");
    assert.equal(agg.circuits, countPerfectCircuits(f.model, f.val!, opts).perfect, `k = ${k}`);
    assert.equal(agg.circuits, per.circuits, `k = ${k}`);
    assert.equal(agg.interpretations, per.interpretations, `k = ${k}`);
    if (expected[k] !== undefined) assert.equal(agg.interpretations, expected[k], `k = ${k}: the network-size study's record`);
  }
});

test("where it does not apply: auto falls back to circuit by circuit, 'aggregated' says why", () => {
  const rng = new Rng(7);
  const m = randomModel([2, 2, 2, 1], rng);
  const data = selfLabelled(m);
  // Grounding rows that are not rows of val: compat keys come from the truncated noisy inputs.
  const noisy = { x: Float32Array.from(data.x, (v, i) => v + (i % 2 ? 0.25 : 0.1)), n: data.n };
  const per = sumCircuitInterpretations(m, data, noisy);
  assert.equal(per.method, "per-circuit");
  assert.equal(per.interpretations, sumCircuitInterpretations(m, data, noisy, { method: "per-circuit" }).interpretations);
  assert.throws(() => sumCircuitInterpretations(m, data, noisy, { method: "aggregated" }), (e: unknown) => e instanceof InputError && /is not a row of val/.test(e.message));
  const deep = randomModel([2, 2, 2, 2, 1], rng);
  assert.equal(sumCircuitInterpretations(deep, selfLabelled(deep), selfLabelled(deep)).method, "per-circuit");
  assert.throws(() => sumCircuitInterpretations(deep, selfLabelled(deep), selfLabelled(deep), { method: "aggregated" }), /3 hidden layers/);
  assert.throws(() => sumCircuitInterpretations(m, data, data, { method: "fast" as "aggregated" }), /method must be/);
  const wide = randomModel([2, 9, 1, 1], rng);
  assert.throws(() => sumCircuitInterpretations(wide, selfLabelled(wide), selfLabelled(wide), { method: "aggregated" }), /9 neurons below the last hidden layer/);
});

test("the cached sums of the two billion-candidate models (notebook 19): their settings, candidates and circuit counts recomputed", () => {
  const cache = JSON.parse(readFileSync(join(__dirname, "..", "notebooks", "cached-results", "summed-interpretations-seed0.json"), "utf8")) as {
    command: string;
    models: { model: string; fixture: string; options: { minSparsity?: number }; candidates: string; perfect_circuits: number; interpretations: string; method: string; cpu_seconds: number }[];
  };
  assert.match(cache.command, /bench\/circuits-scale\.ts .*--write-cache/);
  assert.deepEqual(cache.models.map((m) => m.model), ["[2,5,5,1]", "[2,6,6,1]"]);
  for (const m of cache.models) {
    const f = modelFromJson(JSON.parse(readFileSync(join(__dirname, "..", m.fixture), "utf8")));
    assert.equal(m.candidates, String(countCandidatesExact(f.model.layerSizes, m.options)), m.model);
    assert.match(m.interpretations, /^[1-9][0-9]{40,}$/, `${m.model}: an exact whole number past 10^40`);
    assert.equal(m.method, "aggregated");
    assert.ok(m.cpu_seconds > 0);
  }
  // The [2,6,6,1] count recomputed (a few seconds); the [2,5,5,1] one (about twice as long) against the counter's figure in docs/next-scale.md.
  const k6 = cache.models[1];
  const f6 = modelFromJson(JSON.parse(readFileSync(join(__dirname, "..", k6.fixture), "utf8")));
  assert.equal(k6.perfect_circuits, countPerfectCircuits(f6.model, f6.val!, k6.options).perfect);
  assert.equal(cache.models[0].perfect_circuits, 59_673_075);
});

/**
 * A second oracle, for circuits past 2^53 groundings each (where countGroundings refuses): every joint choice of cuts
 * of every retained node, the product of the nodes' local-table counts (2^free, minus XOR and XNOR for two parents),
 * all in bigints.
 */
function naiveGroundings(p: ReturnType<typeof groundingProblem>): bigint {
  const { nodes, keys } = p;
  let total = 0n;
  const choice = new Array<number>(nodes.length).fill(0);
  for (;;) {
    let product = 1n;
    for (let i = 0; i < nodes.length && product > 0n; i++) {
      const node = nodes[i];
      if (node.layer === 1) continue;
      const table = node.cuts[choice[i]].table;
      const local = new Map<string, number>();
      let consistent = true;
      for (let k = 0; k < keys.length && consistent; k++) {
        const tuple = node.parents.map((q) => nodes[q].cuts[choice[q]].table[k]).join("");
        if (!local.has(tuple)) local.set(tuple, table[k]);
        else consistent = local.get(tuple) === table[k];
      }
      if (!consistent) {
        product = 0n;
        break;
      }
      let count = 2n ** BigInt(2 ** node.parents.length - local.size);
      if (node.parents.length === 2)
        for (const xnor of [0, 1]) if ([...local].every(([t, bit]) => bit === ((Number(t[0]) ^ Number(t[1])) ^ xnor))) count -= 1n;
      product *= count;
    }
    total += product;
    let i = 0;
    while (i < nodes.length && ++choice[i] === nodes[i].cuts.length) choice[i++] = 0;
    if (i === nodes.length) break;
  }
  return total;
}

test("past 2^53 groundings per circuit (a wide last hidden layer): aggregated equals a bigint brute force over every cut choice", () => {
  const rng = new Rng(2);
  let beyond = 0;
  for (const sizes of [[2, 6, 1], [2, 1, 6, 1]])
    for (let draw = 0; draw < 3; draw++) {
      const m = randomModel(sizes, rng);
      const data = selfLabelled(m);
      const opts = { minSparsity: 0, includeFullNodeSet: true };
      const circuits = findCircuits(m, data, { ...opts, metrics: false }).circuits;
      let want = 0n;
      for (const c of circuits) {
        const g = naiveGroundings(groundingProblem(m, c.masks, data.x, data.n));
        if (g > 2n ** 53n) beyond++;
        want += g;
      }
      const got = sumCircuitInterpretations(m, data, data, { ...opts, method: "aggregated" });
      assert.equal(got.circuits, circuits.length, `[${sizes.join(",")}] draw ${draw}`);
      assert.equal(got.interpretations, want, `[${sizes.join(",")}] draw ${draw}`);
    }
  assert.ok(beyond >= 100, `only ${beyond} circuits past 2^53 groundings`);
});
