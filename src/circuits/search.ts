/**
 * Circuits, search (SPEC 4.4): evaluates every candidate circuit under zero ablation and keeps those whose accuracy
 * against the labels is above the threshold, with the reference's per-candidate metrics. The evaluator kernel is
 * batched (rows deduplicated, activations shared between edge matrices) but computes the same float32 numbers as a
 * masked forward pass per candidate.
 */
import { CircuitMasks, LEAKY_SLOPE, MLP, roundHalfEven, runWithCache } from "../model";
import { Dataset } from "../tasks";
import { EnumerationOptions, checkCandidateBudget, checkSizes, hiddenSparsity } from "./count";
import { activeList, edgeOptions, masksFromRows, nodeCombos } from "./enumerate";
import { InputError } from "../errors";

/** Per-candidate metrics, one entry per candidate in enumeration order (typed arrays: millions of candidates). */
export interface CircuitMetrics {
  accuracy: Float64Array;
  /** 1 − MSE between the circuit's and the full model's outputs. */
  logitSimilarity: Float64Array;
  /** Fraction of rows whose rounded outputs equal the full model's rounded outputs. */
  agreement: Float64Array;
  nodeSparsity: Float64Array;
  edgeSparsity: Float64Array;
  combinedSparsity: Float64Array;
}

export interface CircuitSearchOptions extends EnumerationOptions {
  /** Keep circuits with accuracy strictly above this. Default 0.99. */
  accuracyThreshold?: number;
  /** Refuse when the closed-form count exceeds this. Default 5 000 000. */
  maxCandidates?: number;
  /** Also return every candidate's metrics. Default true. */
  metrics?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** One accepted ("perfect") circuit with its metrics (SPEC 4.4). */
export interface PerfectCircuit {
  /** Position among the candidates, in enumeration order. */
  index: number;
  masks: CircuitMasks;
  /** Fraction of validation rows whose rounded outputs all equal the labels. */
  accuracy: number;
  /** 1 − MSE between the circuit's and the full model's outputs. */
  logitSimilarity: number;
  /** Fraction of rows whose rounded outputs equal the full model's rounded outputs. */
  agreement: number;
  nodeSparsity: number;
  edgeSparsity: number;
  combinedSparsity: number;
}

export interface CircuitSearchResult {
  nCandidates: number;
  /** The accepted circuits, in enumeration order. */
  circuits: PerfectCircuit[];
  /** Every candidate's metrics (when `metrics` is not false). */
  metrics?: CircuitMetrics;
}

/** Distinct (input, label) rows with multiplicities: on clean data 200 rows collapse to 4. */
export function distinctRows(data: Dataset): { x: Float32Array; y: Float32Array; w: Float64Array; u: number } {
  const { nInputs: ni, nOutputs: no } = data;
  const index = new Map<string, number>();
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (let r = 0; r < data.n; r++) {
    const xr = data.x.subarray(r * ni, (r + 1) * ni);
    const yr = data.y.subarray(r * no, (r + 1) * no);
    const key = Array.from(xr).join(",") + "|" + Array.from(yr).join(",");
    const k = index.get(key);
    if (k !== undefined) ws[k]++;
    else {
      index.set(key, ws.length);
      xs.push(...xr);
      ys.push(...yr);
      ws.push(1);
    }
  }
  return { x: Float32Array.from(xs), y: Float32Array.from(ys), w: Float64Array.from(ws), u: ws.length };
}

/** Throws an InputError unless `model` is an MLP and `data` a Dataset that fits it (shared by every circuit search). */
export function checkCircuitInputs(model: MLP, data: Dataset, caller: string): void {
  if (!model || !Array.isArray(model.layerSizes) || !Array.isArray(model.weights))
    throw new InputError(`${caller}: model must be an MLP (e.g. loadReleasedModel().model or modelFromJson(text).model).`);
  if (!data || typeof data !== "object" || !(data.x instanceof Float32Array) || !(data.y instanceof Float32Array))
    throw new InputError(
      `${caller}: data must be a Dataset { x: Float32Array (n × inputs), y: Float32Array (n × outputs), n, nInputs, nOutputs }, ` +
        "e.g. { x: cleanInputs(2), y: Float32Array.from(getGate(\"XOR\").table), n: 4, nInputs: 2, nOutputs: 1 } or loadNotebookData().val.",
    );
  const sizes = model.layerSizes;
  checkSizes(sizes);
  const L = sizes.length - 1;
  if (data.nInputs !== sizes[0] || data.nOutputs !== sizes[L])
    throw new InputError(`${caller}: data has ${data.nInputs} inputs/${data.nOutputs} outputs; the model [${sizes.join(",")}] needs ${sizes[0]}/${sizes[L]}.`);
  if (!Number.isInteger(data.n) || data.n <= 0) throw new InputError(`${caller}: data.n must be the number of rows (≥ 1), got ${data.n}.`);
  if (data.x.length !== data.n * data.nInputs || data.y.length !== data.n * data.nOutputs)
    throw new InputError(`${caller}: data.x has ${data.x.length} values and data.y ${data.y.length}; n = ${data.n} rows need ${data.n * data.nInputs} and ${data.n * data.nOutputs}.`);
}

/**
 * Evaluates every candidate circuit on `data` and keeps those with accuracy > threshold against the labels
 * (SPEC 4.4). Same order and float32 arithmetic as `runWithCache` with the circuit per candidate, but batched: rows are
 * deduplicated with multiplicities, and per node combination each neuron's activation under each incoming-edge
 * row is computed once and shared by every edge matrix that uses that row.
 */
export function findCircuits(model: MLP, data: Dataset, opts: CircuitSearchOptions = {}): CircuitSearchResult {
  checkCircuitInputs(model, data, "findCircuits");
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  const nCandidates = checkCandidateBudget(sizes, opts);
  const threshold = opts.accuracyThreshold ?? 0.99;
  const wantMetrics = opts.metrics ?? true;
  const { x, y, w, u } = distinctRows(data);
  const nOut = sizes[L];
  // Locals, not imported bindings: those are property reads through getters in the hot loops (CommonJS output).
  const slope = LEAKY_SLOPE;
  const round = roundHalfEven;
  // Without metrics a candidate is dropped as soon as its wrong rows (with multiplicities, whole numbers) reach
  // `failAt`, the fewest that make accuracy ≤ threshold whatever the remaining rows give (the same comparison).
  let failAt = 0;
  while (failAt <= data.n && (data.n - failAt) / data.n > threshold) failAt++;
  const full = runWithCache(model, x, u, { names: [] }).output;
  const fullRounded = full.map(roundHalfEven);
  const metrics: CircuitMetrics | undefined = wantMetrics
    ? {
        accuracy: new Float64Array(nCandidates),
        logitSimilarity: new Float64Array(nCandidates),
        agreement: new Float64Array(nCandidates),
        nodeSparsity: new Float64Array(nCandidates),
        edgeSparsity: new Float64Array(nCandidates),
        combinedSparsity: new Float64Array(nCandidates),
      }
    : undefined;
  const result: CircuitSearchResult = { nCandidates, circuits: [], metrics };
  const nHidden = sizes.slice(1, L).reduce((a, b) => a + b, 0);
  const nEdges = sizes.slice(1).reduce((s, v, i) => s + v * sizes[i], 0);
  const input0 = new Float32Array(sizes[0] * u); // neuron-major
  for (let r = 0; r < u; r++) for (let j = 0; j < sizes[0]; j++) input0[j * u + r] = x[r * sizes[0] + j];
  let cand = 0;
  const progressEvery = 20000;
  // Per depth i: activations of layer i+1's active neurons under every incoming-edge row. Grown on demand (not
  // sized for the widest case: 16-wide layers on noisy data would need gigabytes) and reused by every call.
  const scratch = Array.from({ length: L }, (_, i) => ({ buf: new Float32Array(0), raw: new Float32Array(0), done: new Uint8Array(0), off: new Int32Array(sizes[i + 1]) }));
  const scratchFor = (i: number, slots: number) => {
    const s = scratch[i];
    if (s.done.length < slots) {
      s.buf = new Float32Array(slots * u);
      s.raw = new Float32Array(slots * u);
      s.done = new Uint8Array(slots);
    }
    return s;
  };

  for (const nodeMasks of nodeCombos(sizes, opts)) {
    const act = nodeMasks.map(activeList);
    const options = Array.from({ length: L }, (_, i) => edgeOptions(act[i + 1].length, act[i].length));
    if (options.some((o) => o.length === 0)) continue;
    const zerosHidden = nHidden - act.slice(1, L).reduce((s, a) => s + a.length, 0);
    const nodeSp = hiddenSparsity(zerosHidden, nHidden);
    const chosen: Int32Array[] = new Array(L);
    const outPos = Array.from({ length: nOut }, (_, o) => act[L].indexOf(o));
    // Layer activations as (buffer, offset per active neuron), neuron-major over the u rows.
    const rec = (i: number, inBuf: Float32Array, inOff: Int32Array, edgesOn: number): void => {
      const ins = act[i];
      const outs = act[i + 1];
      const nIn = ins.length;
      const nRowMasks = 1 << nIn;
      const W = model.weights[i];
      const b = model.biases[i];
      const nin = sizes[i];
      // pre[p][mask]: activation vector of active output p under incoming-edge row `mask`, computed on first use
      // (the last layer needs only the masks its options use) and shared by every edge matrix using that row.
      // Weighted sums in index order, built incrementally: a mask's sum is the sum of the mask without its last
      // input (lowest bit = largest q) plus that input's term — the same float32 operations as the forward pass.
      // Scratch of this depth, reused by every call (a call at depth i never overlaps another at depth i).
      const { buf, raw, done, off } = scratchFor(i, outs.length * nRowMasks);
      done.fill(0, 0, outs.length * nRowMasks);
      const ensure = (p: number, mask: number): void => {
        const slot = p * nRowMasks + mask;
        if (done[slot]) return;
        const low = mask & -mask;
        const rest = mask ^ low;
        if (rest) ensure(p, rest);
        const o = outs[p];
        const q = nIn - 1 - (31 - Math.clz32(low));
        const wq = W[o * nin + ins[q]];
        const src = (p * nRowMasks + rest) * u;
        const xq = inOff[q];
        const dst = slot * u;
        const bo = b[o];
        for (let r = 0; r < u; r++) {
          const acc = Math.fround((rest ? raw[src + r] : 0) + Math.fround(wq * inBuf[xq + r]));
          raw[dst + r] = acc;
          const z = Math.fround(acc + bo);
          buf[dst + r] = z >= 0 ? z : Math.fround(z * slope);
        }
        done[slot] = 1;
      };
      const opts_i = options[i];
      for (let k = 0; k < opts_i.length; k++) {
        const rows = opts_i[k];
        let on = 0;
        for (let p = 0; p < outs.length; p++) {
          ensure(p, rows[p]);
          off[p] = (p * nRowMasks + rows[p]) * u;
          on += popcount(rows[p]);
        }
        chosen[i] = rows;
        if (i + 1 < L) rec(i + 1, buf, off, edgesOn + on);
        else score(buf, off, edgesOn + on);
      }
    };
    /** Whether the candidate can still be accepted: wrong rows counted until they reach failAt. */
    const mayPass = (buf: Float32Array, off: Int32Array): boolean => {
      let wrong = 0;
      for (let r = 0; r < u; r++) {
        for (let o = 0; o < nOut; o++) {
          const p = outPos[o];
          if (round(p >= 0 ? buf[off[p] + r] : 0) !== y[r * nOut + o]) {
            wrong += w[r];
            if (wrong >= failAt) return false;
            break;
          }
        }
      }
      return true;
    };
    const score = (buf: Float32Array, off: Int32Array, edgesOn: number): void => {
      if (!metrics && !mayPass(buf, off)) {
        cand++;
        if (opts.onProgress && cand % progressEvery === 0) opts.onProgress(cand, nCandidates);
        return;
      }
      // Output layer: inactive outputs read 0 (none for enumerated circuits, whose outputs are all on).
      let correct = 0;
      let agree = 0;
      let se = 0;
      for (let r = 0; r < u; r++) {
        let ok = true;
        let ag = true;
        for (let o = 0; o < nOut; o++) {
          const p = outPos[o];
          const v = p >= 0 ? buf[off[p] + r] : 0;
          const rv = round(v);
          if (rv !== y[r * nOut + o]) ok = false;
          if (rv !== fullRounded[r * nOut + o]) ag = false;
          const d = v - full[r * nOut + o];
          se += w[r] * d * d;
        }
        if (ok) correct += w[r];
        if (ag) agree += w[r];
      }
      const acc = correct / data.n;
      const logitSimilarity = 1 - se / (data.n * nOut);
      const agreement = agree / data.n;
      const edgeSparsity = (nEdges - edgesOn) / nEdges;
      const combinedSparsity = (zerosHidden + nEdges - edgesOn) / (nHidden + nEdges);
      if (metrics) {
        metrics.accuracy[cand] = acc;
        metrics.logitSimilarity[cand] = logitSimilarity;
        metrics.agreement[cand] = agreement;
        metrics.nodeSparsity[cand] = nodeSp;
        metrics.edgeSparsity[cand] = edgeSparsity;
        metrics.combinedSparsity[cand] = combinedSparsity;
      }
      if (acc > threshold)
        result.circuits.push({
          index: cand,
          masks: masksFromRows(sizes, nodeMasks, chosen),
          accuracy: acc,
          logitSimilarity,
          agreement,
          nodeSparsity: nodeSp,
          edgeSparsity,
          combinedSparsity,
        });
      cand++;
      if (opts.onProgress && cand % progressEvery === 0) opts.onProgress(cand, nCandidates);
    };
    rec(0, input0, Int32Array.from(act[0], (_, q) => act[0][q] * u), 0);
  }
  if (cand !== nCandidates) throw new Error(`findCircuits: internal error, evaluated ${cand} candidates but counted ${nCandidates}.`);
  opts.onProgress?.(cand, nCandidates);
  return result;
}

function popcount(v: number): number {
  let c = 0;
  while (v) {
    v &= v - 1;
    c++;
  }
  return c;
}
