// The forward pass's hooks shared by alignment (interventions) and equivalence (per-row patches, pre-activations).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Intervention, LEAKY_SLOPE, MLP, forwardAll, mlpFromArrays, runWithCache, zeroMLP } from "../src/model";
import { Rng } from "../src/rng";
import { loadReleasedModel } from "../src/reference";
import { cleanInputs } from "../src/tasks";

const { model } = loadReleasedModel();
const x = cleanInputs(2);

test("pre-activations: LeakyReLU of them gives the activations; an intervened neuron keeps its own", () => {
  const acts = forwardAll(model, x, 4);
  const pres = forwardAll(model, x, 4, { preActivations: true });
  for (let l = 1; l < acts.length; l++)
    pres[l].forEach((p, i) => assert.equal(acts[l][i], p >= 0 ? p : Math.fround(p * LEAKY_SLOPE), `layer ${l} value ${i}`));
  const patched = forwardAll(model, x, 4, { preActivations: true, interventions: [{ layer: 1, neurons: [0], values: [5] }] });
  for (let r = 0; r < 4; r++) assert.equal(patched[1][r * 3], pres[1][r * 3]);
  assert.notDeepEqual(patched[2], pres[2]);
});

test("rowValues patch each row with its own value: the same as one constant intervention per row", () => {
  const rowValues = Float32Array.from([0.5, -1, 2, 0]);
  const all = forwardAll(model, x, 4, { interventions: [{ layer: 2, neurons: [1], rowValues }] });
  for (let r = 0; r < 4; r++) {
    const one = forwardAll(model, x.subarray(r * 2, r * 2 + 2), 1, { interventions: [{ layer: 2, neurons: [1], values: [rowValues[r]] }] });
    assert.equal(all[3][r], one[3][0], `row ${r}`);
  }
  assert.throws(() => forwardAll(model, x, 4, { interventions: [{ layer: 2, neurons: [1], rowValues: [1, 2] }] }), /rowValues must hold 4×1 values/);
  assert.throws(() => forwardAll(model, x, 4, { interventions: [{ layer: 3, neurons: [0], values: [1] }] }), /hidden layers 1…2/);
});

// Intervention semantics on a net small enough to compute by hand: [1, 2, 1],
// L1 = LeakyReLU([x, −x + 0.5]), output = LeakyReLU(L1.0 + 2·L1.1).
const tiny = mlpFromArrays([1, 2, 1], [[[1], [-1]], [[1, 2]]], [[0, 0.5], [0]]);
const out = (ivs: Intervention[], xs: number[] = [2]) => Array.from(runWithCache(tiny, xs, xs.length, { interventions: ivs }).output);
const close = (a: number[], b: number[], what: string) => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-6, `${what}: ${a} vs ${b}`));
const post1 = "layers.1.hook_post";

test("set, add, zero, mean, resample on a hand-computed net", () => {
  // x = 2: L1 pre [2, −1.5], post [2, −0.015]; output 2 − 0.03 = 1.97. x = 0: L1 post [0, 0.5]; output 1.
  close(out([]), [1.97], "clean");
  close(out([], [2, 0]), [1.97, 1], "clean batch");
  close(out([{ kind: "zero", site: { hook: post1, units: [0] } }]), [-0.0003], "zero L1.0: output −0.03 → LeakyReLU");
  close(out([{ kind: "set", site: { hook: post1, units: [1] }, values: [3] }]), [8], "set L1.1 = 3");
  close(out([{ kind: "add", site: { hook: "layers.1.hook_pre", units: [1] }, values: [1] }]), [1.99], "add 1 to L1.1's pre: post −0.005");
  close(out([{ kind: "add", site: { hook: "hook_input" }, values: [-2] }]), [1], "add −2 to the input");
  close(out([{ kind: "set", site: { hook: "layers.2.hook_post" }, values: [-4] }]), [-4], "set the output");
  // Mean of L1.0 over inputs {2, 0} is 1: output 1 − 0.03.
  close(out([{ kind: "mean", site: { hook: post1, units: [0] }, reference: { x: [2, 0], n: 2 } }]), [0.97], "mean from a reference batch");
  close(out([{ kind: "mean", site: { hook: post1, units: [0] }, means: [1] }]), [0.97], "given mean");
  // Resample L1.1 from the other row of the batch: row 0 reads 0.5 (output 3), row 1 reads −0.015 (output −0.03 → −0.0003).
  close(out([{ kind: "resample", site: { hook: post1, units: [1] }, reference: { x: [2, 0], n: 2 }, sourceRows: [1, 0] }], [2, 0]), [3, -0.0003], "resample");
  // Rows: only row 1 is set.
  close(out([{ kind: "set", site: { hook: post1, units: [1], rows: [1] }, values: [0] }], [2, 0]), [1.97, 0], "rows");
  // In order: set then add.
  close(out([{ kind: "set", site: { hook: post1, units: [0] }, values: [1] }, { kind: "add", site: { hook: post1, units: [0] }, values: [1] }]), [1.97], "set then add");
  // Resampling draws are a function of the seed.
  const draws = (seed: number) => out([{ kind: "resample", site: { hook: post1 }, reference: { x: [2, 0, 1, -1, 3], n: 5 }, seed }], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(draws(4), draws(4));
  assert.notDeepEqual(draws(4), draws(5));
});

/** Interchange by hand: run the source, keep the hook's values, run the base with them written in (plain numbers). */
function naivePatch(m: MLP, base: number[], source: number[], layer: number, point: "pre" | "post", units: number[]): number[] {
  const run = (row: number[], patch?: number[]) => {
    const pre: number[][] = [row];
    let h = row;
    for (let i = 0; i < m.weights.length; i++) {
      const p = Array.from({ length: m.layerSizes[i + 1] }, (_, o) => {
        let acc = 0;
        for (let j = 0; j < m.layerSizes[i]; j++) acc = Math.fround(acc + Math.fround(m.weights[i][o * m.layerSizes[i] + j] * h[j]));
        return Math.fround(acc + m.biases[i][o]);
      });
      if (patch && point === "pre" && i + 1 === layer) units.forEach((u, q) => (p[u] = patch[q]));
      const a = p.map((v) => (v >= 0 ? v : Math.fround(v * Math.fround(0.01))));
      if (patch && point === "post" && i + 1 === layer) units.forEach((u, q) => (a[u] = patch[q]));
      pre.push(point === "pre" ? p : a);
      h = a;
    }
    return { at: pre[layer], out: h };
  };
  const src = run(source).at;
  return run(base, units.map((u) => src[u])).out;
}

test("interchange equals a manual two-run patch (one source broadcast, one source per base row, rows)", () => {
  const rng = new Rng(9);
  let changed = 0;
  for (const [m, seed] of [[model, 0], [randomTiny([2, 4, 3, 2], 1), 1], [randomTiny([3, 5, 5, 1], 2), 2]] as [MLP, number][]) {
    const nIn = m.layerSizes[0];
    const L = m.layerSizes.length - 1;
    const nOut = m.layerSizes[L];
    const n = 5;
    const base = Array.from({ length: n * nIn }, () => Math.fround(rng.uniform(-1, 2)));
    const sources = Array.from({ length: n * nIn }, () => Math.fround(rng.uniform(-1, 2)));
    const row = (a: number[], r: number) => a.slice(r * nIn, (r + 1) * nIn);
    for (let layer = 1; layer < L; layer++)
      for (const point of ["pre", "post"] as const) {
        const units = [0, m.layerSizes[layer] - 1].filter((u, i, a) => a.indexOf(u) === i);
        const site = { hook: `layers.${layer}.hook_${point}`, units };
        const what = `seed ${seed} ${site.hook} [${units}]`;
        const perRow = runWithCache(m, base, n, { interventions: [{ kind: "interchange", site, source: { x: sources, n } }] }).output;
        const broadcast = runWithCache(m, base, n, { interventions: [{ kind: "interchange", site, source: { x: row(sources, 2), n: 1 } }] }).output;
        const someRows = runWithCache(m, base, n, { interventions: [{ kind: "interchange", site: { ...site, rows: [3, 1] }, source: { x: [...row(sources, 0), ...row(sources, 4)], n: 2 } }] }).output;
        const clean = runWithCache(m, base, n).output;
        if (perRow.some((v, i) => v !== clean[i])) changed++;
        for (let r = 0; r < n; r++) {
          const got = (o: Float32Array) => Array.from(o.subarray(r * nOut, (r + 1) * nOut));
          assert.deepEqual(got(perRow), naivePatch(m, row(base, r), row(sources, r), layer, point, units), `${what} per row, row ${r}`);
          assert.deepEqual(got(broadcast), naivePatch(m, row(base, r), row(sources, 2), layer, point, units), `${what} broadcast, row ${r}`);
          const expected = r === 3 ? naivePatch(m, row(base, 3), row(sources, 0), layer, point, units) : r === 1 ? naivePatch(m, row(base, 1), row(sources, 4), layer, point, units) : got(clean);
          assert.deepEqual(got(someRows), expected, `${what} rows [3,1], row ${r}`);
        }
      }
  }
  assert.ok(changed >= 8, `interventions changed the output at ${changed} of 10 sites`);
});

function randomTiny(sizes: number[], seed: number): MLP {
  const rng = new Rng(seed);
  const m = zeroMLP(sizes);
  m.weights.forEach((w) => w.forEach((_, i) => (w[i] = rng.uniform(-1.5, 1.5))));
  m.biases.forEach((b) => b.forEach((_, i) => (b[i] = rng.uniform(-0.5, 0.5))));
  return m;
}
