import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { countCandidates, countEdgeMatrices, enumerateCircuits, findCircuits, circuitIncluded, circuitJaccard } from "../src/circuits";
import { CircuitMasks, MLP, forwardAll, modelFromJson, roundHalfEven, mlpFromArrays } from "../src/model";
import { Rng } from "../src/rng";
import { loadNotebookData, loadReleasedModel } from "../src/reference";
import { Dataset, cleanInputs, getGate } from "../src/tasks";


test("closed-form candidate counts match SPEC 4.3's table", () => {
  const table: [number[], number][] = [[[2, 2, 2, 1], 20], [[2, 3, 3, 1], 3000], [[2, 4, 4, 1], 168672], [[2, 5, 5, 1], 1092035], [[3, 3, 3, 1], 24366], [[2, 3, 1], 24], [[2, 3, 3, 3, 1], 812808]];
  for (const [s, n] of table) assert.equal(countCandidates(s), n, s.join(","));
  assert.equal(countCandidates([2, 4, 4, 1], { minSparsity: 0 }), 1067648);
  assert.equal(countCandidates([2, 5, 5, 1], { minSparsity: 0 }), 1247432400);
  assert.deepEqual([countEdgeMatrices(2, 2), countEdgeMatrices(3, 3), countEdgeMatrices(4, 2)], [7n, 265n, 79n]);
});

test("enumeration yields exactly the counted candidates, all valid and distinct", () => {
  for (const s of [[2, 2, 2, 1], [2, 3, 1], [2, 3, 3, 1], [2, 4, 4, 1]]) {
    const seen = new Set<string>();
    for (const c of enumerateCircuits(s)) seen.add(c.edgeMasks.map((m) => m.join("")).join("|"));
    assert.equal(seen.size, countCandidates(s));
  }
  const first = enumerateCircuits([2, 3, 3, 1]).next().value as CircuitMasks;
  assert.deepEqual(Array.from(first.nodeMasks[1]), [0, 0, 1]); // MSB-first, i = 1 first (i = 0 has no edges)
});

function randomModel(sizes: number[], seed: number): MLP {
  const rng = new Rng(seed);
  return mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal() * 1.5))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.5)), ["XOR"]);
}

function cleanData(gate: string, labels?: number[]): Dataset {
  const x = cleanInputs(2);
  const t = labels ?? Array.from(getGate(gate).table);
  return { x, y: Float32Array.from(t), n: 4, nInputs: 2, nOutputs: 1 };
}

/** Every 0/1 edge mask; keep the valid ones (SPEC 4.1), run forwardAll naively. */
function bruteForce(m: MLP, data: Dataset): string[] {
  const sizes = m.layerSizes;
  const L = sizes.length - 1;
  const nE = sizes.slice(1).reduce((s, v, i) => s + v * sizes[i], 0);
  const kept: string[] = [];
  for (let bits = 0; bits < 2 ** nE; bits++) {
    let b = 0;
    const edgeMasks = sizes.slice(1).map((o, i) => Uint8Array.from({ length: o * sizes[i] }, () => (bits >> b++) & 1));
    const nodeMasks = sizes.map((s, l) => Uint8Array.from({ length: s }, (_, j) => {
      if (l === 0 || l === L) return 1;
      const hasIn = Array.from({ length: sizes[l - 1] }, (_, p) => edgeMasks[l - 1][j * sizes[l - 1] + p]).some(Boolean);
      const hasOut = Array.from({ length: sizes[l + 1] }, (_, q) => edgeMasks[l][q * s + j]).some(Boolean);
      return hasIn || hasOut ? 1 : 0;
    }));
    let valid = true;
    for (let i = 0; i < L; i++)
      for (let o = 0; o < sizes[i + 1]; o++)
        for (let p = 0; p < sizes[i]; p++) {
          const e = edgeMasks[i][o * sizes[i] + p];
          if (e && (!nodeMasks[i][p] || !nodeMasks[i + 1][o])) valid = false;
        }
    for (let l = 0; l <= L; l++)
      for (let j = 0; j < sizes[l]; j++) {
        if (!nodeMasks[l][j]) continue;
        if (l > 0 && !Array.from({ length: sizes[l - 1] }, (_, p) => edgeMasks[l - 1][j * sizes[l - 1] + p]).some(Boolean)) valid = false;
        if (l < L && !Array.from({ length: sizes[l + 1] }, (_, q) => edgeMasks[l][q * sizes[l] + j]).some(Boolean)) valid = false;
      }
    if (!valid || nodeMasks.slice(1, L).every((mk) => mk.every(Boolean))) continue;
    const out = forwardAll(m, data.x, data.n, { circuit: { nodeMasks, edgeMasks } })[L];
    let ok = 0;
    for (let r = 0; r < data.n; r++) if (roundHalfEven(out[r]) === data.y[r]) ok++;
    if (ok / data.n > 0.99) kept.push(edgeMasks.map((mk) => mk.join("")).join("|"));
  }
  return kept.sort();
}

test("batched evaluation finds the same perfect circuits as naive forwardAll on every edge mask", () => {
  let nonEmpty = 0;
  for (const sizes of [[2, 2, 2, 1], [2, 2, 1], [2, 3, 1]])
    for (let seed = 1; seed <= 25; seed++) {
      const m = randomModel(sizes, seed * 7 + sizes.length);
      // Labels = the full model's own rounded outputs, so that circuits do pass.
      const full = forwardAll(m, cleanInputs(2), 4)[sizes.length - 1];
      const data = cleanData("XOR", Array.from(full, (v) => Math.min(1, Math.max(0, roundHalfEven(v)))));
      const fast = findCircuits(m, data).circuits.map((c) => c.masks.edgeMasks.map((mk) => mk.join("")).join("|")).sort();
      assert.deepEqual(fast, bruteForce(m, data), `${sizes} seed ${seed}`);
      if (fast.length) nonEmpty++;
    }
  assert.ok(nonEmpty > 10, `only ${nonEmpty} models had circuits`);
});

test("released model: 3000 candidates, 7 perfect circuits on the notebook's validation data", () => {
  const f = loadReleasedModel();
  const { val, stored } = loadNotebookData();
  assert.equal(stored.circuits, 7);
  const r = findCircuits(f.model, val);
  assert.equal(r.nCandidates, 3000);
  assert.equal(r.circuits.length, 7);
  assert.ok(r.metrics!.accuracy.every((a, i) => (a > 0.99) === r.circuits.some((c) => c.index === i)));
  // Same metrics as a naive forwardAll on one accepted circuit.
  const c = r.circuits[0].masks;
  const out = forwardAll(f.model, val.x, val.n, { circuit: c })[3];
  const full = forwardAll(f.model, val.x, val.n)[3];
  let ok = 0, se = 0;
  for (let i = 0; i < val.n; i++) {
    if (roundHalfEven(out[i]) === val.y[i]) ok++;
    se += (out[i] - full[i]) ** 2;
  }
  assert.equal(r.circuits[0].accuracy, ok / val.n);
  assert.ok(Math.abs(r.circuits[0].logitSimilarity - (1 - se / val.n)) < 1e-9);
});

test("inclusion and Jaccard", () => {
  const all = [...enumerateCircuits([2, 2, 1])];
  for (const a of all) {
    assert.ok(circuitIncluded(a, a));
    assert.equal(circuitJaccard(a, a), 1);
    for (const b of all) assert.equal(circuitIncluded(a, b) && circuitIncluded(b, a), a === b);
  }
});

test("refuses an enumeration past the limit with count and options", () => {
  const m = randomModel([2, 5, 5, 1], 1);
  assert.throws(() => findCircuits(m, cleanData("XOR"), { minSparsity: 0 }), /1,247,432,400 candidate circuits.*--min-sparsity/);
});

test("figures are plain data with one trace per edge plus the nodes", async () => {
  const { circuitFigure, circuitUsageFigure, jaccardFigure } = await import("../src/figures/circuits");
  const m = randomModel([2, 3, 3, 1], 3);
  const cs = [...enumerateCircuits([2, 3, 3, 1])].slice(0, 10);
  const fig = circuitFigure(m, cs[0]);
  assert.equal(fig.data.length, 6 + 9 + 3 + 1);
  JSON.stringify(fig);
  const u = circuitUsageFigure(cs);
  assert.equal((u.data[1] as any).z[0].length, 18);
  assert.equal((jaccardFigure([[1, 0.5], [0.5, 1]]).data[0] as any).z[0][1], 0.5);
});
