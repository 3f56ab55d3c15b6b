// The MNIST seed study through the study runner: records written and resumed, the record's tail circuits equal to
// a separate computation for the same seed, circuit stability across seeds against a naive set intersection.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStudy } from "../src/experiments/runner";
import { getStudy } from "../src/experiments/studies";
import { readRecords } from "../src/experiments/store";
import { MnistStudyRecord, circuitStability, decodeBitset, encodeBitset, loadMnist, tailCircuits, trainMnistSync } from "../src/mnist";

test("bitset of circuit indices: round trip, and a wrong size is refused", () => {
  const idx = [0, 7, 8, 100, 24365];
  assert.deepEqual(decodeBitset(encodeBitset(idx, 24366), 24366), idx);
  assert.throws(() => decodeBitset(encodeBitset(idx, 24366), 100), /do not hold 100 bits/);
});

test("run mnist: one record per seed, resumable; the record's circuits are the tail's circuits of that seed", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mnist-study-"));
  try {
    // one epoch per model keeps the test short; the study's default is the reference's 10
    const grid = { ...getStudy("mnist").grid, experiments: 1, epochs: 1 };
    const first = await runStudy({ study: "mnist", grid, out: dir, workers: 0 });
    assert.equal(first.ran, 1);
    const second = await runStudy({ study: "mnist", grid: { ...grid, experiments: 2 }, out: dir, workers: 0, resume: true });
    assert.equal(second.ran, 1);
    assert.equal(second.skipped, 1);
    const records = readRecords(dir) as MnistStudyRecord[];
    assert.equal(records.length, 2);
    assert.deepEqual(records.map((r) => r.seed_offset), [0, 1]);
    // seed 43 recomputed outside the runner
    const data = loadMnist({ seed: 42 });
    const model = trainMnistSync({ data, seed: 43, epochs: 1 }).model;
    const t = tailCircuits(model, data.test, { metrics: false });
    const r1 = records[1];
    assert.deepEqual(r1.perfect_circuits, [t.search.circuits.length]);
    assert.deepEqual(r1.candidates, [24366]);
    assert.deepEqual(decodeBitset(r1.mnist.tail_circuits, 24366), t.search.circuits.map((c) => c.index));
    assert.equal(r1.interpretations_per_circuit![0].length, r1.mnist.binarised.circuits);
    // stability against a naive intersection
    const sets = records.map((r) => new Set(decodeBitset(r.mnist.tail_circuits, 24366)));
    const both = [...sets[0]].filter((i) => sets[1].has(i));
    const s = circuitStability(records);
    assert.deepEqual(s.inAll, both);
    assert.equal(s.histogram[2], both.length);
    assert.equal(s.histogram.reduce((a, b) => a + b, 0), 24366);
    assert.equal(s.inAny, new Set([...sets[0], ...sets[1]]).size);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("cached seed study: 20 different networks (seeds 42 + offset); equal circuit counts come from different circuit sets", () => {
  const file = path.join(__dirname, "..", "notebooks", "cached-results", "mnist.jsonl");
  const records = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as MnistStudyRecord);
  assert.deepEqual(records.map((r) => r.seed_offset), Array.from({ length: 20 }, (_, i) => i));
  assert.ok(records.every((r) => r.seed === 42));
  // one network per offset: no two loss curves are equal (two offsets training the same network would repeat one)
  assert.equal(new Set(records.map((r) => JSON.stringify(r.mnist.losses))).size, 20);
  // counts repeat (6 591 three times, for offsets 0, 2 and 19), the circuits do not
  const byCount = new Map<number, MnistStudyRecord[]>();
  for (const r of records) byCount.set(r.perfect_circuits![0], [...(byCount.get(r.perfect_circuits![0]) ?? []), r]);
  assert.deepEqual(byCount.get(6591)!.map((r) => r.seed_offset), [0, 2, 19]);
  for (const [count, group] of byCount) if (count > 0) assert.equal(new Set(group.map((r) => r.mnist.tail_circuits)).size, group.length, `${count} circuits: the same set twice`);
});
