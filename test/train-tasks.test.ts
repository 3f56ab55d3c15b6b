// The data side of issue 3 (SPEC 2.1-2.2): gates, tasks and data generation, as training consumes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../src/rng";
import { DEFAULT_GATE_POOL, TWO_INPUT_NAMES, cleanInputs, generateData, getGate, makeTask, nameTable } from "../src/tasks";

test("gates: the reference's tables and all 16 two-input functions under name_gate's names", () => {
  const tables: Record<string, number[]> = {
    AND: [0, 0, 0, 1], OR: [0, 1, 1, 1], IMP: [1, 1, 0, 1], NAND: [1, 1, 1, 0], NOR: [1, 0, 0, 0], NIMP: [0, 0, 1, 0], XOR: [0, 1, 1, 0],
  };
  for (const [name, t] of Object.entries(tables)) assert.deepEqual(getGate(name).table, t, name);
  assert.deepEqual([...DEFAULT_GATE_POOL], Object.keys(tables));
  TWO_INPUT_NAMES.forEach((name, index) => {
    const t = getGate(name).table;
    assert.equal(t.reduce((s, v) => s * 2 + v, 0), index, name);
    assert.equal(nameTable(t), name);
  });
  // 3-input gates by brute force over the 8 rows.
  for (let r = 0; r < 8; r++) {
    const bits = [(r >> 2) & 1, (r >> 1) & 1, r & 1];
    const s = bits[0] + bits[1] + bits[2];
    assert.equal(getGate("MAJORITY").table[r], s > 1 ? 1 : 0);
    assert.equal(getGate("PARITY").table[r], s % 2);
    assert.equal(getGate("FULL_ADDER").table[r], s % 2);
    assert.equal(getGate("EXACT_2").table[r], s === 2 ? 1 : 0);
  }
  assert.throws(() => getGate("XORR"), /Unknown gate "XORR". Valid gates: AND, OR, IMP/);
  assert.throws(() => makeTask(["AND", "PARITY"]), /same arity: AND\/2, PARITY\/3/);
});

test("generateData (SPEC 2.2): clean rows labelled by the gate; with noise, n_repeats consecutive copies and clean labels", () => {
  const task = makeTask(["XOR", "AND"]);
  const clean = generateData(task, { nRepeats: 25, rng: new Rng(1) });
  assert.equal(clean.n, 100);
  for (let r = 0; r < clean.n; r++) {
    const [a, b] = [clean.x[2 * r], clean.x[2 * r + 1]];
    assert.ok((a === 0 || a === 1) && (b === 0 || b === 1));
    assert.equal(clean.y[2 * r], a ^ b);
    assert.equal(clean.y[2 * r + 1], a & b);
  }
  const noisy = generateData(makeTask(["XOR"]), { nRepeats: 10, noiseStd: 0.1, rng: new Rng(2) });
  assert.equal(noisy.n, 4 * 10 * 10);
  let sq = 0;
  for (let block = 0; block < 40; block++) {
    const rows = Array.from({ length: 10 }, (_, k) => block * 10 + k);
    const label = noisy.y[rows[0]];
    for (const r of rows) assert.equal(noisy.y[r], label, "a block shares its clean row's label");
    const a = Math.round(noisy.x[2 * rows[0]]), b = Math.round(noisy.x[2 * rows[0] + 1]);
    assert.equal(label, a ^ b);
    for (const r of rows) sq += (noisy.x[2 * r] - a) ** 2 + (noisy.x[2 * r + 1] - b) ** 2;
  }
  const std = Math.sqrt(sq / (2 * noisy.n));
  assert.ok(Math.abs(std - 0.1) < 0.01, `noise std ${std}`);
});

test("skewed input weights: row frequencies follow the weights", () => {
  const d = generateData(makeTask(["OR"]), { nRepeats: 5000, weights: [1, 0, 3, 0], rng: new Rng(3) });
  const counts = [0, 0, 0, 0];
  for (let r = 0; r < d.n; r++) counts[d.x[2 * r] * 2 + d.x[2 * r + 1]]++;
  assert.equal(counts[1] + counts[3], 0);
  assert.ok(Math.abs(counts[2] / d.n - 0.75) < 0.01);
  assert.throws(() => generateData(makeTask(["OR"]), { nRepeats: 1, weights: [1, 1], rng: new Rng(0) }), /weights must be 4 non-negative numbers/);
});

test("task and data helpers name a missing or malformed argument", () => {
  assert.throws(() => makeTask("XOR" as any), /makeTask: gates must be an array of gate names, e\.g\. \["XOR"\], got "XOR"/);
  assert.throws(() => makeTask([]), /at least one gate/);
  assert.throws(() => makeTask(["XOR", "MAJORITY"]), /same arity/);
  assert.throws(() => generateData(undefined as any, { nRepeats: 1, rng: new Rng(0) }), /generateData: task must be a Task, e\.g\. makeTask/);
  assert.throws(() => generateData(makeTask(["XOR"]), undefined as any), /generateData: options are required/);
  assert.throws(() => generateData(makeTask(["XOR"]), { nRepeats: 1, rng: Math.random } as any), /rng must be an Rng/);
  assert.throws(() => generateData(makeTask(["XOR"]), { nRepeats: 0, rng: new Rng(0) }), /nRepeats must be a positive integer/);
  assert.throws(() => cleanInputs(0), /cleanInputs: arity must be an integer from 1 to 16/);
  assert.throws(() => getGate("XNAND"), /Unknown gate "XNAND"\. Valid gates: AND, OR/);
  assert.throws(() => new Rng(NaN), /Rng: seed must be a finite number/);
});
