/**
 * The fast engine's batch kernel for wide networks (an MNIST layer of 784 inputs): the per-row loops of fast.ts
 * reorganised over a whole batch so that each weight is read once per block of rows instead of once per row, with
 * every inner loop running over contiguous Float32Arrays (no closures, no per-element calls). Each float64 sum keeps
 * the generic loops' order (a dot product over inputs ascending, then + bias; a gradient sum over the batch's rows
 * ascending; a back-propagated sum over outputs ascending), so the results are bit-identical to theirs (tested).
 *
 * Sparse inputs (an MNIST digit is −1 on about 80 % of its pixels): with x = base + u, where u is nonzero on few
 * inputs, the first layer's W·x = base·(W·1) + W·u and its weight gradient Σ_r δ_r x_rᵀ = Σ_r δ_r u_rᵀ + base·(Σ_r δ_r)·1ᵀ,
 * and the input's own gradient is never needed; so that layer costs nnz(u)·outputs per row instead of
 * inputs·outputs. Exact in real arithmetic; in floating point the sums run in another order than the dense kernel's,
 * so the two differ by rounding (tested within a tolerance); one engine with one setting still gives the same
 * numbers for the same seed.
 */

/** Rows handled together: four accumulators per weight read. */
const BLOCK = 4;

export interface BlockedScratch {
  /** acts[l]: rows × sizes[l] activations (float32, as the per-row engine stores them). */
  acts: Float32Array[];
  /** delta[l]: rows × sizes[l] dLoss/dpre-activation (float64). */
  delta: Float64Array[];
  /** One row of back-propagated sums. */
  row: Float64Array;
  /** A transposed weight matrix (backLayerTransposed). */
  wt: Float32Array;
}

/** From this many weights on, back-propagation reads a transposed copy of the layer (made once per batch). */
const TRANSPOSED_BACK_MIN = 1024;

export function blockedScratch(sizes: readonly number[], maxRows: number): BlockedScratch {
  return {
    acts: sizes.map((s) => new Float32Array(s * maxRows)),
    delta: sizes.map((s) => new Float64Array(s * maxRows)),
    row: new Float64Array(Math.max(...sizes)),
    wt: new Float32Array(Math.max(0, ...sizes.slice(1).map((v, l) => v * sizes[l]))),
  };
}

/** The inputs as base + u, u stored row by row as its nonzero entries (computed once per dataset). */
export interface SparseRows {
  /** The value most inputs take (−1 for normalised MNIST pixels). */
  base: number;
  /** Row r's entries are idx/val[start[r] .. start[r + 1]). */
  start: Uint32Array;
  /** Input index of each entry. */
  idx: Uint32Array;
  /** x − base (exact in float64 for float32 x and base). */
  val: Float64Array;
  /** Entries per input value: nnz / (rows · inputs). */
  density: number;
}

/** The most frequent input value: the mode of an evenly spaced sample, so continuous inputs cost no more than that. */
function commonValue(x: Float32Array): number {
  const step = Math.max(1, Math.floor(x.length / 4096));
  const sample: number[] = [];
  for (let i = 0; i < x.length; i += step) sample.push(x[i]);
  sample.sort((a, b) => a - b);
  let best = sample[0];
  let bestRun = 0;
  for (let i = 0; i < sample.length; ) {
    let j = i;
    while (j < sample.length && sample[j] === sample[i]) j++;
    if (j - i > bestRun) {
      bestRun = j - i;
      best = sample[i];
    }
    i = j;
  }
  return best;
}

/** x (n rows of nIn) as base + u with u's nonzero entries listed per row; base defaults to the commonest value. */
export function sparseRows(x: Float32Array, n: number, nIn: number, base: number = commonValue(x)): SparseRows {
  let nnz = 0;
  for (let i = 0; i < n * nIn; i++) if (x[i] !== base) nnz++;
  const start = new Uint32Array(n + 1);
  const idx = new Uint32Array(nnz);
  const val = new Float64Array(nnz);
  let t = 0;
  for (let r = 0; r < n; r++) {
    start[r] = t;
    const p = r * nIn;
    for (let j = 0; j < nIn; j++) {
      const v = x[p + j];
      if (v !== base) {
        idx[t] = j;
        val[t++] = v - base;
      }
    }
  }
  start[n] = t;
  return { base, start, idx, val, density: n * nIn > 0 ? nnz / (n * nIn) : 1 };
}

/** Sparse first layer only where it pays: a wide input layer whose rows are mostly the common value. */
export const SPARSE_MIN_INPUTS = 64;
export const SPARSE_MAX_DENSITY = 0.5;

/**
 * One batch: forward, squared-error sum and gradient sums (added to gW/gb, which the caller zeroes). Returns the sum
 * of squared errors over the batch's rows and outputs.
 */
export function blockedBatch(
  sizes: readonly number[],
  W: Float32Array[],
  b: Float32Array[],
  gW: Float64Array[],
  gb: Float64Array[],
  x: Float32Array,
  y: Float32Array,
  order: Uint32Array,
  from: number,
  rows: number,
  scale: number,
  slope: number,
  s: BlockedScratch,
  sparse: SparseRows | null = null,
): number {
  const L = sizes.length - 1;
  const nIn = sizes[0];
  const nOut = sizes[L];
  if (sparse) sparseForward(W[0], b[0], sparse, order, from, s.acts[1], nIn, sizes[1], rows, slope, s.row);
  else {
    const a0 = s.acts[0];
    for (let k = 0; k < rows; k++) {
      const r = order[from + k];
      a0.set(x.subarray(r * nIn, (r + 1) * nIn), k * nIn);
    }
  }
  for (let l = sparse ? 1 : 0; l < L; l++) forwardLayer(W[l], b[l], s.acts[l], s.acts[l + 1], sizes[l], sizes[l + 1], rows, slope);
  // loss and output delta, rows then outputs in order (the per-row engine's order of the squared-error sum)
  const out = s.acts[L];
  const dL = s.delta[L];
  let sq = 0;
  for (let k = 0; k < rows; k++) {
    const r = order[from + k];
    for (let o = 0; o < nOut; o++) {
      const v = out[k * nOut + o];
      const e = v - y[r * nOut + o];
      sq += e * e;
      dL[k * nOut + o] = 2 * e * scale * (v > 0 ? 1 : slope);
    }
  }
  for (let l = L - 1; l >= 0; l--) {
    const nin = sizes[l];
    const nout = sizes[l + 1];
    if (l === 0 && sparse) sparseGrad(gW[0], gb[0], sparse, order, from, s.delta[1], nin, nout, rows);
    else gradLayer(gW[l], gb[l], s.acts[l], s.delta[l + 1], nin, nout, rows);
    if (l > 0) {
      if (nin * nout >= TRANSPOSED_BACK_MIN) backLayerTransposed(W[l], s.acts[l], s.delta[l + 1], s.delta[l], nin, nout, rows, slope, s.wt);
      else backLayer(W[l], s.acts[l], s.delta[l + 1], s.delta[l], nin, nout, rows, slope, s.row);
    }
  }
  return sq;
}

/**
 * out[r][o] = act(Σ_j w[o][j]·in[r][j] + b[o]), j ascending, rounded to float32: blocks of four rows by two outputs
 * (eight sums, six loads per input j), then the remaining rows and outputs one by one.
 */
function forwardLayer(w: Float32Array, bias: Float32Array, ain: Float32Array, aout: Float32Array, nin: number, nout: number, rows: number, slope: number): void {
  let k = 0;
  for (; k + BLOCK <= rows; k += BLOCK) {
    const p0 = k * nin;
    const p1 = p0 + nin;
    const p2 = p1 + nin;
    const p3 = p2 + nin;
    let o = 0;
    for (; o + 2 <= nout; o += 2) {
      const ba = o * nin;
      const bb = ba + nin;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let j = 0; j < nin; j++) {
        const wa = w[ba + j];
        const wb = w[bb + j];
        const x0 = ain[p0 + j];
        const x1 = ain[p1 + j];
        const x2 = ain[p2 + j];
        const x3 = ain[p3 + j];
        a0 += wa * x0;
        a1 += wa * x1;
        a2 += wa * x2;
        a3 += wa * x3;
        b0 += wb * x0;
        b1 += wb * x1;
        b2 += wb * x2;
        b3 += wb * x3;
      }
      store4(aout, k, nout, o, a0 + bias[o], a1 + bias[o], a2 + bias[o], a3 + bias[o], slope);
      store4(aout, k, nout, o + 1, b0 + bias[o + 1], b1 + bias[o + 1], b2 + bias[o + 1], b3 + bias[o + 1], slope);
    }
    for (; o < nout; o++) {
      const base = o * nin;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < nin; j++) {
        const wj = w[base + j];
        s0 += wj * ain[p0 + j];
        s1 += wj * ain[p1 + j];
        s2 += wj * ain[p2 + j];
        s3 += wj * ain[p3 + j];
      }
      store4(aout, k, nout, o, s0 + bias[o], s1 + bias[o], s2 + bias[o], s3 + bias[o], slope);
    }
  }
  for (; k < rows; k++) {
    const p = k * nin;
    for (let o = 0; o < nout; o++) {
      const base = o * nin;
      let acc = 0;
      for (let j = 0; j < nin; j++) acc += w[base + j] * ain[p + j];
      acc += bias[o];
      aout[k * nout + o] = acc > 0 ? acc : acc * slope;
    }
  }
}

function store4(aout: Float32Array, k: number, nout: number, o: number, s0: number, s1: number, s2: number, s3: number, slope: number): void {
  aout[k * nout + o] = s0 > 0 ? s0 : s0 * slope;
  aout[(k + 1) * nout + o] = s1 > 0 ? s1 : s1 * slope;
  aout[(k + 2) * nout + o] = s2 > 0 ? s2 : s2 * slope;
  aout[(k + 3) * nout + o] = s3 > 0 ? s3 : s3 * slope;
}

/**
 * gW[o][j] += Σ_r d[r][o]·in[r][j] and gb[o] += Σ_r d[r][o], each sum over rows ascending: two outputs by four rows
 * per pass over the inputs (six loads, eight products, two stores per j).
 */
function gradLayer(gw: Float64Array, gbl: Float64Array, ain: Float32Array, dout: Float64Array, nin: number, nout: number, rows: number): void {
  for (let o = 0; o < nout; o++) {
    let gbo = gbl[o];
    for (let k = 0; k < rows; k++) gbo += dout[k * nout + o];
    gbl[o] = gbo;
  }
  let o = 0;
  for (; o + 2 <= nout; o += 2) {
    const ba = o * nin;
    const bb = ba + nin;
    let k = 0;
    for (; k + BLOCK <= rows; k += BLOCK) {
      const c0 = dout[k * nout + o];
      const c1 = dout[(k + 1) * nout + o];
      const c2 = dout[(k + 2) * nout + o];
      const c3 = dout[(k + 3) * nout + o];
      const e0 = dout[k * nout + o + 1];
      const e1 = dout[(k + 1) * nout + o + 1];
      const e2 = dout[(k + 2) * nout + o + 1];
      const e3 = dout[(k + 3) * nout + o + 1];
      const p0 = k * nin;
      const p1 = p0 + nin;
      const p2 = p1 + nin;
      const p3 = p2 + nin;
      for (let j = 0; j < nin; j++) {
        const x0 = ain[p0 + j];
        const x1 = ain[p1 + j];
        const x2 = ain[p2 + j];
        const x3 = ain[p3 + j];
        gw[ba + j] = gw[ba + j] + c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
        gw[bb + j] = gw[bb + j] + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3;
      }
    }
    for (; k < rows; k++) {
      const c = dout[k * nout + o];
      const e = dout[k * nout + o + 1];
      const p = k * nin;
      for (let j = 0; j < nin; j++) {
        gw[ba + j] += c * ain[p + j];
        gw[bb + j] += e * ain[p + j];
      }
    }
  }
  for (; o < nout; o++) {
    const base = o * nin;
    for (let k = 0; k < rows; k++) {
      const d = dout[k * nout + o];
      const p = k * nin;
      for (let j = 0; j < nin; j++) gw[base + j] += d * ain[p + j];
    }
  }
}

/**
 * din[r][j] = (Σ_o w[o][j]·d[r][o], o ascending) · act'(in[r][j]); the sum is built row of w by row of w, four rows
 * of w per pass (added one after the other: the same order, one load and store of the sum per four products).
 */
function backLayer(w: Float32Array, ain: Float32Array, dout: Float64Array, din: Float64Array, nin: number, nout: number, rows: number, slope: number, acc: Float64Array): void {
  for (let k = 0; k < rows; k++) {
    acc.fill(0, 0, nin);
    const q = k * nout;
    let o = 0;
    for (; o + 4 <= nout; o += 4) {
      const d0 = dout[q + o];
      const d1 = dout[q + o + 1];
      const d2 = dout[q + o + 2];
      const d3 = dout[q + o + 3];
      const p0 = o * nin;
      const p1 = p0 + nin;
      const p2 = p1 + nin;
      const p3 = p2 + nin;
      for (let j = 0; j < nin; j++) acc[j] = acc[j] + w[p0 + j] * d0 + w[p1 + j] * d1 + w[p2 + j] * d2 + w[p3 + j] * d3;
    }
    for (; o < nout; o++) {
      const d = dout[q + o];
      const base = o * nin;
      for (let j = 0; j < nin; j++) acc[j] += w[base + j] * d;
    }
    const p = k * nin;
    for (let j = 0; j < nin; j++) din[p + j] = acc[j] * (ain[p + j] > 0 ? 1 : slope);
  }
}

/**
 * The first layer on sparse rows: out[r][o] = act(Σ_t W[o][idx_t]·u_t + base·Σ_j W[o][j] + b[o]) (the row sums once
 * per batch, the weights only change between batches), four outputs per pass over a row's entries.
 */
function sparseForward(w: Float32Array, bias: Float32Array, sp: SparseRows, order: Uint32Array, from: number, aout: Float32Array, nin: number, nout: number, rows: number, slope: number, shift: Float64Array): void {
  const { base, start, idx, val } = sp;
  for (let o = 0; o < nout; o++) {
    let sum = 0;
    const p = o * nin;
    for (let j = 0; j < nin; j++) sum += w[p + j];
    shift[o] = base * sum + bias[o];
  }
  for (let k = 0; k < rows; k++) {
    const r = order[from + k];
    const t0 = start[r];
    const t1 = start[r + 1];
    const q = k * nout;
    let o = 0;
    for (; o + 4 <= nout; o += 4) {
      const p0 = o * nin;
      const p1 = p0 + nin;
      const p2 = p1 + nin;
      const p3 = p2 + nin;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let t = t0; t < t1; t++) {
        const j = idx[t];
        const u = val[t];
        a0 += w[p0 + j] * u;
        a1 += w[p1 + j] * u;
        a2 += w[p2 + j] * u;
        a3 += w[p3 + j] * u;
      }
      a0 += shift[o];
      a1 += shift[o + 1];
      a2 += shift[o + 2];
      a3 += shift[o + 3];
      aout[q + o] = a0 > 0 ? a0 : a0 * slope;
      aout[q + o + 1] = a1 > 0 ? a1 : a1 * slope;
      aout[q + o + 2] = a2 > 0 ? a2 : a2 * slope;
      aout[q + o + 3] = a3 > 0 ? a3 : a3 * slope;
    }
    for (; o < nout; o++) {
      const p = o * nin;
      let a = 0;
      for (let t = t0; t < t1; t++) a += w[p + idx[t]] * val[t];
      a += shift[o];
      aout[q + o] = a > 0 ? a : a * slope;
    }
  }
}

/**
 * The first layer's gradient on sparse rows: gW[o][j] += Σ_r d[r][o]·u_r[j] over each row's entries, then
 * base·Σ_r d[r][o] on every j of row o; gb[o] += Σ_r d[r][o] (rows ascending, as gradLayer).
 */
function sparseGrad(gw: Float64Array, gbl: Float64Array, sp: SparseRows, order: Uint32Array, from: number, dout: Float64Array, nin: number, nout: number, rows: number): void {
  const { base, start, idx, val } = sp;
  for (let k = 0; k < rows; k++) {
    const r = order[from + k];
    const t0 = start[r];
    const t1 = start[r + 1];
    const q = k * nout;
    let o = 0;
    for (; o + 4 <= nout; o += 4) {
      const d0 = dout[q + o];
      const d1 = dout[q + o + 1];
      const d2 = dout[q + o + 2];
      const d3 = dout[q + o + 3];
      const p0 = o * nin;
      const p1 = p0 + nin;
      const p2 = p1 + nin;
      const p3 = p2 + nin;
      for (let t = t0; t < t1; t++) {
        const j = idx[t];
        const u = val[t];
        gw[p0 + j] += d0 * u;
        gw[p1 + j] += d1 * u;
        gw[p2 + j] += d2 * u;
        gw[p3 + j] += d3 * u;
      }
    }
    for (; o < nout; o++) {
      const d = dout[q + o];
      const p = o * nin;
      for (let t = t0; t < t1; t++) gw[p + idx[t]] += d * val[t];
    }
  }
  for (let o = 0; o < nout; o++) {
    let sum = 0;
    for (let k = 0; k < rows; k++) sum += dout[k * nout + o];
    gbl[o] += sum;
    if (base === 0) continue;
    const c = base * sum;
    const p = o * nin;
    for (let j = 0; j < nin; j++) gw[p + j] += c;
  }
}

/**
 * backLayer for big layers, bit for bit: with w transposed (wt[j][o]) each din[r][j] is a dot product over o
 * ascending in a register (the same additions in the same order as backLayer's running row), four rows by two
 * inputs per pass as in forwardLayer.
 */
function backLayerTransposed(w: Float32Array, ain: Float32Array, dout: Float64Array, din: Float64Array, nin: number, nout: number, rows: number, slope: number, wt: Float32Array): void {
  for (let o = 0; o < nout; o++) for (let j = 0; j < nin; j++) wt[j * nout + o] = w[o * nin + j];
  let k = 0;
  for (; k + BLOCK <= rows; k += BLOCK) {
    const q0 = k * nout;
    const q1 = q0 + nout;
    const q2 = q1 + nout;
    const q3 = q2 + nout;
    let j = 0;
    for (; j + 2 <= nin; j += 2) {
      const ba = j * nout;
      const bb = ba + nout;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let o = 0; o < nout; o++) {
        const wa = wt[ba + o];
        const wb = wt[bb + o];
        const d0 = dout[q0 + o];
        const d1 = dout[q1 + o];
        const d2 = dout[q2 + o];
        const d3 = dout[q3 + o];
        a0 += wa * d0;
        a1 += wa * d1;
        a2 += wa * d2;
        a3 += wa * d3;
        b0 += wb * d0;
        b1 += wb * d1;
        b2 += wb * d2;
        b3 += wb * d3;
      }
      backStore4(din, ain, k, nin, j, a0, a1, a2, a3, slope);
      backStore4(din, ain, k, nin, j + 1, b0, b1, b2, b3, slope);
    }
    for (; j < nin; j++) {
      const ba = j * nout;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let o = 0; o < nout; o++) {
        const wa = wt[ba + o];
        a0 += wa * dout[q0 + o];
        a1 += wa * dout[q1 + o];
        a2 += wa * dout[q2 + o];
        a3 += wa * dout[q3 + o];
      }
      backStore4(din, ain, k, nin, j, a0, a1, a2, a3, slope);
    }
  }
  for (; k < rows; k++) {
    const q = k * nout;
    const p = k * nin;
    for (let j = 0; j < nin; j++) {
      const ba = j * nout;
      let a = 0;
      for (let o = 0; o < nout; o++) a += wt[ba + o] * dout[q + o];
      din[p + j] = a * (ain[p + j] > 0 ? 1 : slope);
    }
  }
}

function backStore4(din: Float64Array, ain: Float32Array, k: number, nin: number, j: number, s0: number, s1: number, s2: number, s3: number, slope: number): void {
  const p = k * nin + j;
  din[p] = s0 * (ain[p] > 0 ? 1 : slope);
  din[p + nin] = s1 * (ain[p + nin] > 0 ? 1 : slope);
  din[p + 2 * nin] = s2 * (ain[p + 2 * nin] > 0 ? 1 : slope);
  din[p + 3 * nin] = s3 * (ain[p + 3 * nin] > 0 ? 1 : slope);
}
