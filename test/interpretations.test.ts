import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { findCircuits, enumerateCircuits } from "../src/circuits";
import { groundingProblem, countGroundings, iterateGroundings, GroundingProblem, Grounding } from "../src/interpretations";
import { CircuitMasks, MLP, mlpFromArrays } from "../src/model";
import { Rng } from "../src/rng";
import { loadNotebookData, loadReleasedModel } from "../src/reference";
import { cleanInputs, nameTable } from "../src/tasks";

const f = loadReleasedModel();
const { val, xTt, stored } = loadNotebookData();
const tt = xTt.x;

/** Direct transcription of SPEC 5's pseudo-code: materialise every partial grounding. */
function naiveCount(p: GroundingProblem): number {
  let partial: Map<number, Uint8Array>[] = [new Map()];
  p.nodes.forEach((n, i) => {
    const next: Map<number, Uint8Array>[] = [];
    for (const G of partial)
      for (const cut of n.cuts) {
        if (n.layer === 1) {
          next.push(new Map(G).set(i, cut.table));
          continue;
        }
        const local = new Map<string, number>();
        let ok = true;
        cut.table.forEach((v, k) => {
          const t = n.parents.map((q) => G.get(q)![k]).join("");
          if (local.has(t) && local.get(t) !== v) ok = false;
          local.set(t, v);
        });
        if (!ok) continue;
        const np = n.parents.length;
        for (let c = 0; c < 2 ** (2 ** np); c++) {
          const full = Array.from({ length: 2 ** np }, (_, t) => (c >> (2 ** np - 1 - t)) & 1);
          const consistent = [...local].every(([t, v]) => full[parseInt(t || "0", 2)] === v);
          if (!consistent) continue;
          const name = nameTable(full);
          if (np === 2 && (name === "XOR" || name === "XNOR")) continue;
          next.push(new Map(G).set(i, cut.table));
        }
      }
    partial = next;
  });
  return partial.length;
}

test("released model on the notebook's data: 7 circuits, 100 896 groundings (compat artefact), corrected count side by side", () => {
  const r = findCircuits(f.model, val);
  const circuits = r.circuits.map((c) => c.masks);
  const compat = circuits.map((c) => countGroundings(groundingProblem(f.model, c, tt, 4)));
  assert.equal(compat.reduce((a, b) => a + b, 0), 100896);
  assert.equal(stored.groundings_total, 100896);
  const corrected = circuits.map((c) => countGroundings(groundingProblem(f.model, c, tt, 4, "corrected")));
  assert.equal(corrected.reduce((a, b) => a + b, 0), 12800);
  // In compat mode the output is constant on the four (noisy (1,1)) key rows and dropped.
  assert.ok(groundingProblem(f.model, circuits[0], tt, 4).dropped.some((n) => n.layer === 3));
  circuits.forEach((c, i) => {
    const p = groundingProblem(f.model, c, tt, 4, "corrected");
    assert.equal(naiveCount(p), corrected[i]);
    assert.equal([...iterateGroundings(p)].length, corrected[i]);
  });
});

test("aggregated count = naive materialised count = lazy iterator, on every candidate of small random networks", () => {
  let checked = 0;
  for (const sizes of [[2, 2, 2, 1], [2, 2, 1], [2, 3, 1]])
    for (let seed = 1; seed <= 6; seed++) {
      const rng = new Rng(seed * 31 + sizes.length);
      const m: MLP = mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal() * 1.5))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.5)), ["XOR"]);
      for (const c of enumerateCircuits(sizes)) {
        const p = groundingProblem(m, c, cleanInputs(2), 4);
        const k = countGroundings(p);
        assert.equal(k, naiveCount(p));
        if (k < 2000) assert.equal([...iterateGroundings(p)].length, k);
        checked++;
      }
    }
  assert.ok(checked > 100);
});

test("aggregated count = naive count on wider networks and noisy grounding sets (several cuts per node), sets alternating", () => {
  const sizes = [2, 4, 4, 1];
  const rng = new Rng(2024);
  const m: MLP = mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal() * 1.5))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.5)), ["XOR"]);
  // Two grounding sets used in turn: the count must not depend on which set was grounded before.
  const noisy = Float32Array.from({ length: 24 }, (_, i) => (i % 2 ? (i >> 1) % 2 : (i >> 2) % 2) + rng.normal() * 0.2);
  const clean = cleanInputs(2);
  let compared = 0;
  let i = 0;
  for (const c of enumerateCircuits(sizes)) {
    if (i++ % 1499) continue;
    for (const [x, n] of [[noisy, 12], [clean, 4]] as const) {
      const p = groundingProblem(m, c, x, n);
      const k = countGroundings(p);
      if (k > 0 && k < 20000) {
        assert.equal(k, naiveCount(p));
        compared++;
      }
    }
  }
  assert.ok(compared > 20, `only ${compared} circuits compared`);
});

test("countGroundings refuses a layer with too many combinations of cuts, naming the limit", () => {
  const table = Uint8Array.of(0, 1, 1, 1);
  const nodes = Array.from({ length: 16 }, (_, j) => ({ layer: 1, neuron: j, parents: [], cuts: [0, 1, 2].map((t) => ({ threshold: t, table })) }));
  assert.throws(() => countGroundings({ keys: [], nodes, dropped: [] }), /layer 1 has 43,046,721 combinations of cuts.*sparser circuit/);
});

test("iterator gives per-neuron tables, thresholds and gates", () => {
  const r = findCircuits(f.model, val);
  const g = iterateGroundings(groundingProblem(f.model, r.circuits[0].masks, tt, 4, "corrected")).next().value as Grounding;
  const out = g.nodes[g.nodes.length - 1];
  assert.equal(out.layer, 3);
  assert.deepEqual(out.table, [0, 1, 1, 0]); // the circuit computes XOR on the clean inputs
  assert.ok(g.nodes.every((n) => typeof n.gate === "string" && Number.isFinite(n.threshold)));
  assert.throws(() => groundingProblem(f.model, r.circuits[0].masks, tt, 4, "bad" as any), /compat.*corrected/);
});

/** main.py's default clean grounding set (seed 0) and, per perfect circuit of the released model, its label dicts. */
interface ReleasedLabels {
  x_tt: number[][];
  circuits: { node_masks: number[][]; edge_masks: number[][][]; groundings: number; labels: { labels: Record<string, string>; count: number }[] }[];
}
const releasedLabels: ReleasedLabels = JSON.parse(fs.readFileSync(`${__dirname}/fixtures/xor_released_labels_meloux2025.json`, "utf8"));
const fixtureCircuit = (c: ReleasedLabels["circuits"][number]): CircuitMasks => ({
  nodeMasks: c.node_masks.map((m) => Uint8Array.from(m)),
  edgeMasks: c.edge_masks.map((m) => Uint8Array.from(m.flat())),
});

test("first-layer gates are named on sorted keys (00, 01, 10, 11): the reference's label dicts on an unsorted grounding set", () => {
  const x = Float32Array.from(releasedLabels.x_tt.flat());
  const n = releasedLabels.x_tt.length;
  // The keys' first appearance is 10, 01, 11, 00: naming in that order gives other gates than the reference's.
  assert.deepEqual(groundingProblem(f.model, fixtureCircuit(releasedLabels.circuits[0]), x, n).keys, [[1, 0], [0, 1], [1, 1], [0, 0]]);
  let groundings = 0;
  let dicts = 0;
  releasedLabels.circuits.forEach((c, ci) => {
    const counts = new Map<string, number>();
    for (const g of iterateGroundings(groundingProblem(f.model, fixtureCircuit(c), x, n))) {
      const key = JSON.stringify(Object.fromEntries(g.nodes.map((u) => [`(${u.layer},${u.neuron})`, u.gate])));
      counts.set(key, (counts.get(key) ?? 0) + 1);
      groundings++;
    }
    const expected = new Map(c.labels.map((d) => [JSON.stringify(d.labels), d.count]));
    assert.deepEqual(counts, expected, `circuit ${ci}`);
    dicts += counts.size;
  });
  assert.deepEqual([groundings, dicts], [234700, 1231]);
});
