/**
 * A batch kernel generated for one architecture: the fast engine's per-row forward and backward pass with every
 * loop unrolled, weights held in local variables for the batch (they only change between batches) and gradient sums
 * in locals. It performs exactly the same float64 operations in the same order as the generic loops of fast.ts
 * (each dot product Σ_j W[o][j]·a[j] left to right then + b, activations rounded to float32, gradients summed in
 * row order), so both give bit-identical results (tested); it is only used for small networks, where it is several
 * times faster.
 */

/** Above this many parameters the generated code would be too large to pay off: the generic loops run. */
export const MAX_UNROLLED_PARAMS = 400;

/**
 * kernel(params, grads, x, y, order, from, rows, scale) → sum of squared errors of the batch; writes the batch
 * gradient sums into grads (aligned with params: weights of every layer, then biases of every layer).
 */
export type BatchKernel = (
  params: Float32Array[],
  grads: Float64Array[],
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  from: number,
  rows: number,
  scale: number,
) => number;

const cache = new Map<string, BatchKernel>();

export function unrolledKernel(sizes: readonly number[], slope: number): BatchKernel | null {
  const L = sizes.length - 1;
  let nParams = 0;
  for (let l = 0; l < L; l++) nParams += sizes[l + 1] * (sizes[l] + 1);
  if (nParams > MAX_UNROLLED_PARAMS) return null;
  const key = `${sizes.join(",")}|${slope}`;
  let k = cache.get(key);
  if (!k) {
    k = new Function("fround", "slope", buildSource(sizes))(Math.fround, slope) as BatchKernel;
    cache.set(key, k);
  }
  return k;
}

function buildSource(sizes: readonly number[]): string {
  const L = sizes.length - 1;
  const nIn = sizes[0];
  const nOut = sizes[L];
  const w = (l: number, o: number, j: number) => `w${l}_${o}_${j}`;
  const bb = (l: number, o: number) => `b${l}_${o}`;
  const gw = (l: number, o: number, j: number) => `gw${l}_${o}_${j}`;
  const gb = (l: number, o: number) => `gb${l}_${o}`;
  const a = (l: number, j: number) => `a${l}_${j}`;
  const d = (l: number, j: number) => `d${l}_${j}`;
  const lines: string[] = [];
  const p = (s: string) => lines.push(s);
  p("return function kernel(params, grads, x, y, order, from, rows, scale) {");
  for (let l = 0; l < L; l++) {
    p(`const W${l} = params[${l}], B${l} = params[${L + l}];`);
    for (let o = 0; o < sizes[l + 1]; o++) {
      for (let j = 0; j < sizes[l]; j++) p(`const ${w(l, o, j)} = W${l}[${o * sizes[l] + j}]; let ${gw(l, o, j)} = 0;`);
      p(`const ${bb(l, o)} = B${l}[${o}]; let ${gb(l, o)} = 0;`);
    }
  }
  p("let sq = 0;");
  p("for (let k = 0; k < rows; k++) {");
  p("const r = order[from + k];");
  for (let j = 0; j < nIn; j++) p(`const ${a(0, j)} = x[r * ${nIn} + ${j}];`);
  // forward: z = ((w·a)_0 + (w·a)_1 + …) + b, as the generic loop's acc = 0; acc += …; acc += b
  for (let l = 0; l < L; l++)
    for (let o = 0; o < sizes[l + 1]; o++) {
      const terms = Array.from({ length: sizes[l] }, (_, j) => `${w(l, o, j)} * ${a(l, j)}`);
      p(`let z${l + 1}_${o} = ${terms.join(" + ")} + ${bb(l, o)};`);
      p(`const ${a(l + 1, o)} = fround(z${l + 1}_${o} > 0 ? z${l + 1}_${o} : z${l + 1}_${o} * slope);`);
    }
  // loss and output deltas
  for (let o = 0; o < nOut; o++) {
    p(`const e${o} = ${a(L, o)} - y[r * ${nOut} + ${o}];`);
    p(`sq += e${o} * e${o};`);
    p(`const ${d(L, o)} = 2 * e${o} * scale * (${a(L, o)} > 0 ? 1 : slope);`);
  }
  // backward
  for (let l = L - 1; l >= 0; l--) {
    for (let o = 0; o < sizes[l + 1]; o++) {
      p(`${gb(l, o)} += ${d(l + 1, o)};`);
      for (let j = 0; j < sizes[l]; j++) p(`${gw(l, o, j)} += ${d(l + 1, o)} * ${a(l, j)};`);
    }
    if (l > 0)
      for (let j = 0; j < sizes[l]; j++) {
        const terms = Array.from({ length: sizes[l + 1] }, (_, o) => `${w(l, o, j)} * ${d(l + 1, o)}`);
        // the generic loop starts from acc = 0: 0 + t0 === t0 exactly, so no leading zero is needed
        p(`const ${d(l, j)} = (${terms.join(" + ")}) * (${a(l, j)} > 0 ? 1 : slope);`);
      }
  }
  p("}");
  for (let l = 0; l < L; l++) {
    p(`const G${l} = grads[${l}], GB${l} = grads[${L + l}];`);
    for (let o = 0; o < sizes[l + 1]; o++) {
      for (let j = 0; j < sizes[l]; j++) p(`G${l}[${o * sizes[l] + j}] = ${gw(l, o, j)};`);
      p(`GB${l}[${o}] = ${gb(l, o)};`);
    }
  }
  p("return sq;");
  p("};");
  return lines.join("\n");
}
