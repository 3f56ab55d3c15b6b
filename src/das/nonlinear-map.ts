/**
 * A non-linear alignment map for the control of Sutter et al. (2025): an invertible map φ of a layer's activations,
 * two additive coupling layers followed by a rotation, and the interchange h' = φ⁻¹(φ(h_b) + M (φ(h_s) − φ(h_b))).
 * Split h into A (the first ⌈d/2⌉ coordinates) and B; coupling 1: y_B = h_B + t₁(h_A); coupling 2: y_A = h_A +
 * t₂(y_B); φ(h) = R y. Each t is a small MLP, in → `hidden` tanh units → out; φ⁻¹ undoes the steps in reverse, so
 * the map is exactly invertible whatever its parameters. With 30–80 parameters at our widths, the gradient is taken by
 * central differences (2 loss evaluations per parameter) rather than a hand-written backward pass.
 */
import { InputError } from "../errors";
import { Rng } from "../rng";
import { nAngles, randomAngles, rotationFromAngles } from "./rotation";
import { Tail, tailLossGrad } from "./tail";
import { DasExamples, consecutiveBlocks, defaultBlockSizes } from "./train";

export interface CouplingMap {
  d: number;
  /** Size of part A (the first coordinates). */
  a: number;
  hidden: number;
  /** Givens angles, then t₁'s and t₂'s weights (W1 hidden × in, b1, W2 out × hidden, b2 each). */
  params: Float64Array;
  blocks: number[][];
}

function netSize(nin: number, nout: number, m: number): number {
  return m * nin + m + nout * m + nout;
}

/** Number of parameters of a coupling map of width d with `hidden` tanh units per coupling network. */
export function couplingParamCount(d: number, hidden: number): number {
  const a = Math.ceil(d / 2);
  return nAngles(d) + netSize(a, d - a, hidden) + netSize(d - a, a, hidden);
}

/** out += t(x): the coupling network whose parameters start at p[off]. */
function addNet(p: Float64Array, off: number, nin: number, nout: number, m: number, x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number, sign: number): void {
  const w1 = off;
  const b1 = w1 + m * nin;
  const w2 = b1 + m;
  const b2 = w2 + nout * m;
  for (let o = 0; o < nout; o++) out[outOff + o] += sign * p[b2 + o];
  for (let k = 0; k < m; k++) {
    let s = p[b1 + k];
    for (let j = 0; j < nin; j++) s += p[w1 + k * nin + j] * x[xOff + j];
    const t = Math.tanh(s);
    for (let o = 0; o < nout; o++) out[outOff + o] += sign * p[w2 + o * m + k] * t;
  }
}

function offsets(map: CouplingMap): { t1: number; t2: number } {
  const t1 = nAngles(map.d);
  return { t1, t2: t1 + netSize(map.a, map.d - map.a, map.hidden) };
}

/** φ(h) into `out` (R given). */
function phi(map: CouplingMap, R: Float64Array, h: ArrayLike<number>, hOff: number, out: Float64Array): void {
  const { d, a, hidden: m, params: p } = map;
  const { t1, t2 } = offsets(map);
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) y[i] = h[hOff + i];
  addNet(p, t1, a, d - a, m, y, 0, y, a, 1);
  addNet(p, t2, d - a, a, m, y, a, y, 0, 1);
  for (let r = 0; r < d; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += R[r * d + i] * y[i];
    out[r] = s;
  }
}

/** φ⁻¹(w) into `out`. */
function phiInverse(map: CouplingMap, R: Float64Array, w: ArrayLike<number>, out: Float64Array): void {
  const { d, a, hidden: m, params: p } = map;
  const { t1, t2 } = offsets(map);
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let r = 0; r < d; r++) s += R[r * d + i] * w[r];
    out[i] = s;
  }
  addNet(p, t2, d - a, a, m, out, a, out, 0, -1);
  addNet(p, t1, a, d - a, m, out, 0, out, a, -1);
}

/** h' of every example under the map (float64, n × d). */
export function couplingInterchangeRows(map: CouplingMap, ex: DasExamples): Float64Array {
  const d = map.d;
  const R = rotationFromAngles(map.params.subarray(0, nAngles(d)), d);
  const wb = new Float64Array(d);
  const ws = new Float64Array(d);
  const h = new Float64Array(d);
  const out = new Float64Array(ex.n * d);
  for (let e = 0; e < ex.n; e++) {
    phi(map, R, ex.hBase, e * d, wb);
    phi(map, R, ex.hSource, e * d, ws);
    for (const i of map.blocks[ex.variable[e]]) wb[i] = ws[i];
    phiInverse(map, R, wb, h);
    out.set(h, e * d);
  }
  return out;
}

/** φ⁻¹(φ(h)) for one vector: the map's round trip (exact up to rounding). */
export function couplingRoundTrip(map: CouplingMap, h: ArrayLike<number>): Float64Array {
  const R = rotationFromAngles(map.params.subarray(0, nAngles(map.d)), map.d);
  const w = new Float64Array(map.d);
  const out = new Float64Array(map.d);
  phi(map, R, h, 0, w);
  phiInverse(map, R, w, out);
  return out;
}

function mapLoss(map: CouplingMap, tail: Tail, ex: DasExamples): { loss: number; accuracy: number } {
  const rows = couplingInterchangeRows(map, ex);
  const g = new Float64Array(map.d);
  let loss = 0;
  let ok = 0;
  for (let e = 0; e < ex.n; e++) {
    const r = tailLossGrad(tail, rows.subarray(e * map.d, (e + 1) * map.d), ex.label[e], g);
    loss += r.loss;
    if (r.margin > 0) ok++;
  }
  return { loss: loss / ex.n, accuracy: ok / ex.n };
}

export interface CouplingTrainOptions {
  hidden?: number;
  blockSizes?: number[];
  steps?: number;
  lr?: number;
  seed?: number;
}

/** Trains a coupling map on counterfactual examples (Adam on central-difference gradients). */
export function trainCouplingMap(tail: Tail, ex: DasExamples, opts: CouplingTrainOptions = {}): CouplingMap & { loss: number; trainAccuracy: number; steps: number } {
  const d = ex.d;
  if (d < 2) throw new InputError(`non-linear map: the layer must have at least 2 units, got ${d}.`);
  const hidden = opts.hidden ?? 8;
  const rng = new Rng(opts.seed ?? 0);
  const params = new Float64Array(couplingParamCount(d, hidden));
  params.set(randomAngles(d, rng));
  for (let i = nAngles(d); i < params.length; i++) params[i] = 0.3 * rng.normal();
  const map: CouplingMap = { d, a: Math.ceil(d / 2), hidden, params, blocks: consecutiveBlocks(opts.blockSizes ?? defaultBlockSizes(d, ex.nVariables)) };
  const steps = opts.steps ?? 150;
  const lr = opts.lr ?? 0.03;
  const m = new Float64Array(params.length);
  const v = new Float64Array(params.length);
  const eps = 1e-5;
  let step = 0;
  for (; step < steps; step++) {
    if (mapLoss(map, tail, ex).accuracy === 1) break;
    const g = new Float64Array(params.length);
    for (let k = 0; k < params.length; k++) {
      const keep = params[k];
      params[k] = keep + eps;
      const up = mapLoss(map, tail, ex).loss;
      params[k] = keep - eps;
      const down = mapLoss(map, tail, ex).loss;
      params[k] = keep;
      g[k] = (up - down) / (2 * eps);
    }
    for (let k = 0; k < params.length; k++) {
      m[k] = 0.9 * m[k] + 0.1 * g[k];
      v[k] = 0.999 * v[k] + 0.001 * g[k] * g[k];
      params[k] -= (lr * (m[k] / (1 - Math.pow(0.9, step + 1)))) / (Math.sqrt(v[k] / (1 - Math.pow(0.999, step + 1))) + 1e-8);
    }
  }
  const fin = mapLoss(map, tail, ex);
  return { ...map, loss: fin.loss, trainAccuracy: fin.accuracy, steps: step };
}
