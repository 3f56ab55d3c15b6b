import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { enumerateCircuits, findCircuits } from "../src/circuits";
import {
  GroundingProblem,
  countDistinctInterpretations,
  countGroundings,
  countPooledDistinctInterpretations,
  distinctInterpretations,
  groundingProblem,
  iterateGroundings,
  pooledDistinctInterpretations,
} from "../src/interpretations";
import { CircuitMasks, MLP, mlpFromArrays } from "../src/model";
import { loadNotebookData, loadReleasedModel } from "../src/reference";
import { Rng } from "../src/rng";
import { cleanInputs, getGate } from "../src/tasks";
import { trainExperimentSync } from "../src/train";

const released = loadReleasedModel().model;

/** Brute force: every grounding materialised by the iterator, collected as a label dict (neuron `L{l}.{j}` → gate). */
function bruteForceLabels(p: GroundingProblem): Map<string, number> {
  const counts = new Map<string, number>();
  for (const g of iterateGroundings(p)) {
    const key = JSON.stringify(Object.fromEntries(g.nodes.map((u) => [`L${u.layer}.${u.neuron}`, u.gate])));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const asMap = (ds: { labels: Record<string, string>; count: number }[]) => new Map(ds.map((d) => [JSON.stringify(d.labels), d.count]));

/** Checks the exact count, the list with multiplicities and the raw count of one circuit against brute force. */
function checkAgainstBruteForce(p: GroundingProblem, what: string): number {
  const brute = bruteForceLabels(p);
  assert.equal(countDistinctInterpretations(p), brute.size, what);
  assert.deepEqual(asMap(distinctInterpretations(p)), brute, what);
  return brute.size;
}

interface ReleasedLabels {
  x_tt: number[][];
  circuits: { node_masks: number[][]; edge_masks: number[][][]; groundings: number; labels: { labels: Record<string, string>; count: number }[] }[];
}
const fixture: ReleasedLabels = JSON.parse(fs.readFileSync(`${__dirname}/fixtures/xor_released_labels_meloux2025.json`, "utf8"));
const fixtureCircuit = (c: ReleasedLabels["circuits"][number]): CircuitMasks => ({
  nodeMasks: c.node_masks.map((m) => Uint8Array.from(m)),
  edgeMasks: c.edge_masks.map((m) => Uint8Array.from(m.flat())),
});
/** The fixture's "(layer,unit)" keys written as `L{layer}.{unit}`. */
const canonical = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([k, g]) => [k.replace(/^\((\d+),(\d+)\)$/, "L$1.$2"), g]));

test("released model, main.py's clean grounding set: distinct label dicts and multiplicities of all 32 circuits = the reference's (sorted as it lists them)", () => {
  const x = Float32Array.from(fixture.x_tt.flat());
  const problems = fixture.circuits.map((c) => groundingProblem(released, fixtureCircuit(c), x, fixture.x_tt.length));
  fixture.circuits.forEach((c, i) => {
    const expected = c.labels.map((d) => ({ labels: canonical(d.labels), count: d.count }));
    assert.equal(countGroundings(problems[i]), c.groundings, `circuit ${i}`);
    assert.equal(countDistinctInterpretations(problems[i]), expected.length, `circuit ${i}`);
    // Same dicts, same multiplicities, sorted by their gate tuples as the fixture lists them.
    assert.deepEqual(distinctInterpretations(problems[i]), expected, `circuit ${i}`);
  });
  assert.equal(problems.reduce((s, p) => s + countDistinctInterpretations(p), 0), 1231);
  // Pooled: the union of the reference's per-circuit dicts (circuits retaining the same neurons can share dicts).
  const union = new Map<string, { count: number; circuits: number }>();
  for (const c of fixture.circuits)
    for (const d of c.labels) {
      const key = JSON.stringify(canonical(d.labels));
      const u = union.get(key) ?? { count: 0, circuits: 0 };
      union.set(key, { count: u.count + d.count, circuits: u.circuits + 1 });
    }
  assert.ok(union.size < 1231, "some circuits share label dicts, so the pooled count is below the sum");
  assert.equal(countPooledDistinctInterpretations(problems), union.size);
  const pooled = pooledDistinctInterpretations(problems);
  assert.deepEqual(new Map(pooled.map((d) => [JSON.stringify(d.labels), { count: d.count, circuits: d.circuits }])), union);
});

test("released model, the notebook's data: 93/93/27/93/93/93/93 distinct label dicts, multiplicities summing to 100 896 (compat)", () => {
  const { val, xTt } = loadNotebookData();
  const circuits = findCircuits(released, val).circuits.map((c) => c.masks);
  const problems = circuits.map((c) => groundingProblem(released, c, xTt.x, xTt.n));
  assert.deepEqual(problems.map(countDistinctInterpretations), [93, 93, 27, 93, 93, 93, 93]);
  const lists = problems.map((p) => distinctInterpretations(p));
  assert.equal(lists.flat().reduce((s, d) => s + d.count, 0), 100896);
  problems.forEach((p, i) => checkAgainstBruteForce(p, `notebook circuit ${i}`));
  // Corrected mode (clean keys) on the same circuits, against brute force as well.
  circuits.forEach((c, i) => checkAgainstBruteForce(groundingProblem(released, c, xTt.x, xTt.n, "corrected"), `corrected circuit ${i}`));
});

test("every candidate circuit of small random networks (clean and noisy grounding sets): distinct = brute force, pooled = union", () => {
  let checked = 0;
  for (const sizes of [[2, 2, 2, 1], [2, 3, 1], [2, 2, 2, 2, 1]])
    for (let seed = 1; seed <= 4; seed++) {
      const rng = new Rng(seed * 17 + sizes.length);
      const m: MLP = mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal() * 1.5))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.5)), ["XOR"]);
      const noisy = Float32Array.from({ length: 24 }, (_, i) => (i % 2 ? (i >> 1) % 2 : (i >> 2) % 2) + rng.normal() * 0.2);
      for (const [x, n] of [[cleanInputs(2), 4], [noisy, 12]] as const) {
        const problems: GroundingProblem[] = [];
        let i = 0;
        for (const c of enumerateCircuits(sizes)) {
          if (sizes.length === 5 && i++ % 7) continue; // a sample of the deeper network's 4 000-odd candidates
          const p = groundingProblem(m, c, x, n);
          if (countGroundings(p) > 5000) continue;
          checkAgainstBruteForce(p, `[${sizes}] seed ${seed}`);
          problems.push(p);
          checked++;
        }
        const union = new Set(problems.flatMap((p) => [...bruteForceLabels(p).keys()]));
        assert.equal(countPooledDistinctInterpretations(problems), union.size);
        assert.equal(pooledDistinctInterpretations(problems).length, union.size);
      }
    }
  assert.ok(checked > 500, `only ${checked} circuits checked`);
});

test("trained [2,3,3,1] and [2,4,4,1] XOR models (fast engine, fixed seeds): distinct = brute force on small perfect circuits, multiplicities add up on the others", () => {
  const xor = { x: cleanInputs(2), y: Float32Array.from(getGate("XOR").table), n: 4, nInputs: 2, nOutputs: 1 };
  const summary: string[] = [];
  for (const [size, seeds] of [[3, [0, 2]], [4, [0, 1]]] as const)
    for (const seedOffset of seeds) {
      const { result } = trainExperimentSync({ gates: ["XOR"], size, seedOffset });
      assert.ok(result.accepted, `size ${size} seed offset ${seedOffset} should train`);
      const problems = findCircuits(result.model, xor, { metrics: false }).circuits.map((c) => groundingProblem(result.model, c.masks, cleanInputs(2), 4));
      let brute = 0;
      let distinct = 0;
      for (const p of problems) {
        const raw = countGroundings(p);
        const d = countDistinctInterpretations(p);
        assert.ok(d <= raw && (d > 0) === (raw > 0));
        distinct += d;
        if (raw <= (size === 3 ? 20000 : 1000) && brute < 150) {
          checkAgainstBruteForce(p, `[2,${size},${size},1] seed offset ${seedOffset}`);
          brute++;
        } else if (d <= 20000) {
          // Too many groundings to list: the label DP's multiplicities still add up to the raw count.
          const list = distinctInterpretations(p);
          assert.equal(list.length, d);
          assert.equal(list.reduce((s, x) => s + x.count, 0), raw);
        }
      }
      assert.ok(brute >= Math.min(7, problems.length), `only ${brute} circuits brute-forced`);
      summary.push(`[2,${size},${size},1]/${seedOffset}: ${problems.length} circuits, ${brute} brute-forced, ${distinct} distinct`);
    }
  assert.equal(summary.length, 4);
});

test("no retained neurons: one empty interpretation; an inconsistent circuit: none", () => {
  const empty: GroundingProblem = { keys: [[0, 0]], nodes: [], dropped: [] };
  assert.equal(countDistinctInterpretations(empty), 1);
  assert.deepEqual(distinctInterpretations(empty), [{ labels: {}, count: 1 }]);
  assert.equal(countPooledDistinctInterpretations([]), 0);
  // One first-layer neuron equal on keys 00 and 01 (table 0,0,1,1 = A), then a child that differs on those keys.
  const keys = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const inconsistent: GroundingProblem = {
    keys,
    nodes: [
      { layer: 1, neuron: 0, parents: [], cuts: [{ threshold: 0.5, table: Uint8Array.of(0, 0, 1, 1) }] },
      { layer: 2, neuron: 0, parents: [0], cuts: [{ threshold: 0.5, table: Uint8Array.of(0, 1, 1, 1) }] },
    ],
    dropped: [],
  };
  assert.equal(countGroundings(inconsistent), 0);
  assert.equal(countDistinctInterpretations(inconsistent), 0);
  assert.deepEqual(distinctInterpretations(inconsistent), []);
});

test("layers of more than 8 neurons (gate tuples keyed as strings): distinct = brute force", () => {
  const keys = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const rng = new Rng(99);
  const tables = [[0, 0, 1, 1], [0, 1, 0, 1], [0, 1, 1, 1], [0, 0, 0, 1], [1, 1, 0, 0], [1, 0, 0, 0]].map((t) => Uint8Array.from(t));
  const pick = () => tables[Math.floor(rng.uniform(0, 1) * tables.length)];
  for (let trial = 0; trial < 3; trial++) {
    const nodes: GroundingProblem["nodes"] = [];
    for (let j = 0; j < 9; j++) nodes.push({ layer: 1, neuron: j, parents: [], cuts: (j < 3 ? [pick(), pick()] : [pick()]).map((table, c) => ({ threshold: c, table })) });
    // Each second-layer neuron copies or negates its parent's first cut (so every circuit has groundings).
    for (let j = 0; j < 9; j++) {
      const t = nodes[j].cuts[0].table;
      nodes.push({ layer: 2, neuron: j, parents: [j], cuts: [{ threshold: 0, table: rng.uniform(0, 1) < 0.5 ? t : t.map((v) => 1 - v) }] });
    }
    const p: GroundingProblem = { keys, nodes, dropped: [] };
    assert.ok(countGroundings(p) > 0);
    checkAgainstBruteForce(p, `trial ${trial}`);
  }
});

test("distinctInterpretations refuses more label prefixes than maxEntries, naming the count function", () => {
  const p = groundingProblem(released, findCircuits(released, loadNotebookData().val).circuits[0].masks, cleanInputs(2), 4);
  assert.ok(distinctInterpretations(p).length > 1);
  assert.throws(() => distinctInterpretations(p, { maxEntries: 1 }), /more than 1 label prefixes at layer \d.*countDistinctInterpretations.*maxEntries/);
});
