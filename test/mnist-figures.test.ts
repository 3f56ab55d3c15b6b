// The MNIST figures as data: the digit grid holds each digit's pixels at its tile, the bottleneck scatter one trace
// per digit with that digit's rows, the seed sweep every value; all plain JSON data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertPlainData } from "../src/figures/figure";
import { bottleneckFigure, digitGridFigure, seedSweepFigure } from "../src/figures/mnist";

test("digitGridFigure: each digit's pixels sit at its tile (row-major 28×28), gaps empty", () => {
  const n = 5;
  const x = new Float32Array(n * 784);
  for (let k = 0; k < n; k++) for (let p = 0; p < 784; p++) x[k * 784 + p] = ((k * 7 + p) % 11) / 5 - 1;
  const f = digitGridFigure(x, [0, 1, 1, 0, 1], { count: n, cols: 3 });
  assertPlainData(f);
  const z = f.data[0].z as (number | null)[][];
  assert.equal(z.length, 2 * 28 + 2);
  assert.equal(z[0].length, 3 * 28 + 4);
  // digit 4 is the second tile of the second row
  const r0 = 30;
  const c0 = 30;
  for (const [i, j] of [[0, 0], [5, 17], [27, 27]]) assert.equal(z[r0 + i][c0 + j], Math.round(x[4 * 784 + i * 28 + j] * 1000) / 1000);
  assert.equal(z[28][0], null);
  assert.equal(z[0][28], null);
  assert.equal((f.data[0].text as string[][])[r0][c0], "digit 1 (#4)");
  assert.throws(() => digitGridFigure(new Float32Array(10), [0]), /no digits to show/);
});

test("bottleneckFigure: one 3-D trace per digit holding that digit's rows", () => {
  const acts = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const f = bottleneckFigure(acts, [1, 0, 1, 1]);
  assertPlainData(f);
  assert.deepEqual(f.data.map((t) => t.name), ["digit 0", "digit 1"]);
  assert.deepEqual(f.data[0].x, [3]);
  assert.deepEqual(f.data[1].z, [2, 8, 11]);
  assert.throws(() => bottleneckFigure(acts, [0, 1]), /expected 2 rows of 3 activations, got 12 values/);
});

test("seedSweepFigure: every value drawn, labelled by seed", () => {
  const f = seedSweepFigure([{ name: "perfect", values: [3, 1, 2], seeds: [42, 43, 44] }, { name: "other", values: [5] }]);
  assertPlainData(f);
  assert.deepEqual(f.data[0].y, [3, 1, 2]);
  assert.deepEqual(f.data[0].text, ["seed 42", "seed 43", "seed 44"]);
  assert.equal(f.data[1].boxpoints, "all");
  assert.throws(() => seedSweepFigure([]), /at least one series/);
});
