/**
 * The fast engine's batch kernel for wide networks (an MNIST layer of 784 inputs): the per-row loops of fast.ts
 * reorganised over a whole batch so that each weight is read once per block of rows instead of once per row, with
 * every inner loop running over contiguous Float32Arrays (no closures, no per-element calls). Each float64 sum keeps
 * the generic loops' order (a dot product over inputs ascending, then + bias; a gradient sum over the batch's rows
 * ascending; a back-propagated sum over outputs ascending), so the results are bit-identical to theirs (tested).
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
}

export function blockedScratch(sizes: readonly number[], maxRows: number): BlockedScratch {
  return {
    acts: sizes.map((s) => new Float32Array(s * maxRows)),
    delta: sizes.map((s) => new Float64Array(s * maxRows)),
    row: new Float64Array(Math.max(...sizes)),
  };
}

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
): number {
  const L = sizes.length - 1;
  const nIn = sizes[0];
  const nOut = sizes[L];
  const a0 = s.acts[0];
  for (let k = 0; k < rows; k++) {
    const r = order[from + k];
    a0.set(x.subarray(r * nIn, (r + 1) * nIn), k * nIn);
  }
  for (let l = 0; l < L; l++) forwardLayer(W[l], b[l], s.acts[l], s.acts[l + 1], sizes[l], sizes[l + 1], rows, slope);
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
    gradLayer(gW[l], gb[l], s.acts[l], s.delta[l + 1], nin, nout, rows);
    if (l > 0) backLayer(W[l], s.acts[l], s.delta[l + 1], s.delta[l], nin, nout, rows, slope, s.row);
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

/** din[r][j] = (Σ_o w[o][j]·d[r][o], o ascending) · act'(in[r][j]); the sum is built row of w by row of w. */
function backLayer(w: Float32Array, ain: Float32Array, dout: Float64Array, din: Float64Array, nin: number, nout: number, rows: number, slope: number, acc: Float64Array): void {
  for (let k = 0; k < rows; k++) {
    acc.fill(0, 0, nin);
    for (let o = 0; o < nout; o++) {
      const d = dout[k * nout + o];
      const base = o * nin;
      for (let j = 0; j < nin; j++) acc[j] += w[base + j] * d;
    }
    const p = k * nin;
    for (let j = 0; j < nin; j++) din[p + j] = acc[j] * (ain[p + j] > 0 ? 1 : slope);
  }
}
