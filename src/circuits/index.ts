/**
 * Where-then-what, step 1 (SPEC 4): candidate circuits of an MLP in the reference's order, their closed-form count,
 * and their batched evaluation (zero ablation, acceptance `accuracy > threshold` against the labels).
 */
import { CircuitMasks, LEAKY_SLOPE, MLP, forwardAll, roundHalfEven } from "../model";
import { Dataset } from "../tasks";

export interface EnumerationOptions {
  /** Skip node combinations whose hidden node sparsity (zeros / hidden count) is `<=` this. Default: main.py's rule. */
  minSparsity?: number;
  /** Also enumerate the full node set (the reference never does, SPEC 14.2). Default false. */
  includeFullNodeSet?: boolean;
}

/** main.py's override (SPEC 4.3/14.4): 0.3 if the hidden width k > 4, 0.2 if k > 3, else 0. */
export function defaultMinSparsity(layerSizes: readonly number[]): number {
  const k = Math.max(0, ...layerSizes.slice(1, -1));
  return k > 4 ? 0.3 : k > 3 ? 0.2 : 0;
}

function binom(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/** Number of m×n 0/1 matrices without zero rows or columns (inclusion–exclusion); 0×0 counts as one ("no edges"). */
export function countEdgeMatrices(m: number, n: number): bigint {
  if (m === 0 || n === 0) return m === 0 && n === 0 ? 1n : 0n;
  let s = 0n;
  for (let j = 0; j <= n; j++) {
    const term = binom(n, j) * ((1n << BigInt(n - j)) - 1n) ** BigInt(m);
    s += j % 2 ? -term : term;
  }
  return s;
}

/** Hidden node sparsity as the reference computes it: (#zeros)/(#hidden) (SPEC 14.4: not 1 − active/total). */
function hiddenSparsity(zeros: number, hidden: number): number {
  return hidden === 0 ? 0 : zeros / hidden;
}

/**
 * Number of candidate circuits without enumerating them (SPEC 4.3): Σ over active counts of
 * Π C(k_l, a_l) · Π N(a_{l+1}, a_l), minus the full node set (unless included), with the sparsity filter.
 */
export function countCandidates(layerSizes: readonly number[], opts: EnumerationOptions = {}): number {
  return Number(countCandidatesExact(layerSizes, opts));
}

export function countCandidatesExact(layerSizes: readonly number[], opts: EnumerationOptions = {}): bigint {
  checkSizes(layerSizes);
  const minSparsity = opts.minSparsity ?? defaultMinSparsity(layerSizes);
  const L = layerSizes.length - 1;
  const hidden = layerSizes.slice(1, L).reduce((a, b) => a + b, 0);
  let total = 0n;
  const a: number[] = [layerSizes[0]];
  const rec = (l: number, weight: bigint, zeros: number): void => {
    if (l > L) {
      const full = a.every((v, i) => v === layerSizes[i]);
      if (full && !opts.includeFullNodeSet) return;
      if (minSparsity > 0 && hiddenSparsity(zeros, hidden) <= minSparsity) return;
      total += weight;
      return;
    }
    for (let k = 0; k <= layerSizes[l]; k++) {
      const e = countEdgeMatrices(k, a[l - 1]);
      if (e === 0n) continue;
      a[l] = k;
      rec(l + 1, weight * binom(layerSizes[l], k) * e, zeros + (l < L ? layerSizes[l] - k : 0));
    }
  };
  rec(1, 1n, 0);
  return total;
}

function checkSizes(layerSizes: readonly number[]): void {
  if (layerSizes.length < 2 || layerSizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`circuits: layerSizes must be ≥ 2 positive integers, got [${layerSizes.join(", ")}].`);
  if (layerSizes.some((s) => s > 16)) throw new Error(`circuits: layers wider than 16 neurons cannot be enumerated (got [${layerSizes.join(", ")}]).`);
}

/** Node combinations in the reference's order (MSB-first bits per layer, last layer fastest, full set last). */
function* nodeCombos(layerSizes: readonly number[], opts: EnumerationOptions): Generator<Uint8Array[]> {
  const L = layerSizes.length - 1;
  const minSparsity = opts.minSparsity ?? defaultMinSparsity(layerSizes);
  const hidden = layerSizes.slice(1, L).reduce((a, b) => a + b, 0);
  const radix = layerSizes.slice(1).map((s) => 2 ** s);
  const total = radix.reduce((a, b) => a * b, 1);
  const last = opts.includeFullNodeSet ? total : total - 1;
  for (let c = 0; c < last; c++) {
    const masks: Uint8Array[] = [new Uint8Array(layerSizes[0]).fill(1)];
    let rest = c;
    const vals: number[] = [];
    for (let l = L; l >= 1; l--) {
      vals[l] = rest % radix[l - 1];
      rest = Math.floor(rest / radix[l - 1]);
    }
    let zeros = 0;
    for (let l = 1; l <= L; l++) {
      const s = layerSizes[l];
      const m = new Uint8Array(s);
      for (let j = 0; j < s; j++) m[j] = (vals[l] >> (s - 1 - j)) & 1;
      if (l < L) zeros += s - m.reduce((a, b) => a + b, 0);
      masks.push(m);
    }
    if (minSparsity > 0 && hiddenSparsity(zeros, hidden) <= minSparsity) continue;
    yield masks;
  }
}

const optionCache = new Map<string, Int32Array[]>();
/**
 * The valid edge matrices between `nIn` active inputs and `nOut` active outputs, in the reference's order, each as
 * its row values (row p's value: MSB = first active input). Rows first-to-last, last entry fastest.
 */
function edgeOptions(nOut: number, nIn: number): Int32Array[] {
  const key = `${nOut}x${nIn}`;
  const hit = optionCache.get(key);
  if (hit) return hit;
  const out: Int32Array[] = [];
  if (nOut === 0 || nIn === 0) {
    if (nOut === 0 && nIn === 0) out.push(new Int32Array(0));
  } else {
    const full = (1 << nIn) - 1;
    const rows = new Int32Array(nOut);
    const rec = (p: number, cover: number): void => {
      if (p === nOut) {
        if (cover === full) out.push(rows.slice());
        return;
      }
      for (let v = 1; v <= full; v++) {
        rows[p] = v;
        rec(p + 1, cover | v);
      }
    };
    rec(0, 0);
  }
  optionCache.set(key, out);
  return out;
}

function activeList(mask: Uint8Array): number[] {
  const r: number[] = [];
  mask.forEach((v, j) => v && r.push(j));
  return r;
}

function masksFromRows(layerSizes: readonly number[], nodeMasks: Uint8Array[], rows: Int32Array[]): CircuitMasks {
  const edgeMasks: Uint8Array[] = [];
  for (let i = 0; i < layerSizes.length - 1; i++) {
    const nin = layerSizes[i];
    const em = new Uint8Array(layerSizes[i + 1] * nin);
    const ins = activeList(nodeMasks[i]);
    const outs = activeList(nodeMasks[i + 1]);
    outs.forEach((o, p) => ins.forEach((j, q) => (em[o * nin + j] = (rows[i][p] >> (ins.length - 1 - q)) & 1)));
    edgeMasks.push(em);
  }
  return { nodeMasks: nodeMasks.map((m) => m.slice()), edgeMasks };
}

/** Every candidate circuit, lazily, in the reference's order (SPEC 4.3). */
export function* enumerateCircuits(layerSizes: readonly number[], opts: EnumerationOptions = {}): Generator<CircuitMasks> {
  checkSizes(layerSizes);
  const L = layerSizes.length - 1;
  for (const nodeMasks of nodeCombos(layerSizes, opts)) {
    const act = nodeMasks.map((m) => activeList(m).length);
    const options = Array.from({ length: L }, (_, i) => edgeOptions(act[i + 1], act[i]));
    if (options.some((o) => o.length === 0)) continue;
    const idx = new Array(L).fill(0);
    for (;;) {
      yield masksFromRows(layerSizes, nodeMasks, idx.map((k, i) => options[i][k]));
      let i = L - 1;
      while (i >= 0 && ++idx[i] === options[i].length) idx[i--] = 0;
      if (i < 0) break;
    }
  }
}

/** Hidden-node, edge and combined sparsity of a circuit (fractions of zeros, SPEC 4.4). */
export function circuitSparsity(c: CircuitMasks): { node: number; edge: number; combined: number } {
  const hidden = c.nodeMasks.slice(1, -1);
  const nh = hidden.reduce((s, m) => s + m.length, 0);
  const zh = hidden.reduce((s, m) => s + m.filter((v) => !v).length, 0);
  const ne = c.edgeMasks.reduce((s, m) => s + m.length, 0);
  const ze = c.edgeMasks.reduce((s, m) => s + m.filter((v) => !v).length, 0);
  return { node: hiddenSparsity(zh, nh), edge: ne ? ze / ne : 0, combined: nh + ne ? (zh + ze) / (nh + ne) : 0 };
}

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

/** Candidates per second of `findCircuits` on this project's bench (2 slow cores: about 1 M/s on [2,5,5,1]), for time estimates. */
export const CANDIDATES_PER_SECOND = 1_000_000;

export const DEFAULT_MAX_CANDIDATES = 5_000_000;

/** Throws a readable refusal when the count of candidates exceeds the limit. */
export function checkCandidateBudget(layerSizes: readonly number[], opts: CircuitSearchOptions = {}): number {
  const n = countCandidates(layerSizes, opts);
  const limit = opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  if (n > limit) {
    const secs = n / CANDIDATES_PER_SECOND;
    throw new Error(
      `circuits: [${layerSizes.join(",")}] has ${n.toLocaleString("en-US")} candidate circuits (about ${formatDuration(secs)} to evaluate), ` +
        `over the limit of ${limit.toLocaleString("en-US")}. Raise maxCandidates (--max-candidates), raise minSparsity (--min-sparsity), ` +
        `or analyse a narrower model.`,
    );
  }
  return n;
}

function formatDuration(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/** Distinct (input, label) rows with multiplicities: on clean data 200 rows collapse to 4. */
function distinctRows(data: Dataset): { x: Float32Array; y: Float32Array; w: Float64Array; u: number } {
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

/**
 * Evaluates every candidate circuit on `data` and keeps those with accuracy > threshold against the labels
 * (SPEC 4.4). Same order and float32 arithmetic as running `forwardAll` per candidate, but batched: rows are
 * deduplicated with multiplicities, and per node combination each neuron's activation under each incoming-edge
 * row is computed once and shared by every edge matrix that uses that row.
 */
export function findCircuits(model: MLP, data: Dataset, opts: CircuitSearchOptions = {}): CircuitSearchResult {
  const sizes = model.layerSizes;
  checkSizes(sizes);
  const L = sizes.length - 1;
  if (data.nInputs !== sizes[0] || data.nOutputs !== sizes[L])
    throw new Error(`findCircuits: data has ${data.nInputs} inputs/${data.nOutputs} outputs; the model [${sizes.join(",")}] needs ${sizes[0]}/${sizes[L]}.`);
  if (data.n === 0) throw new Error("findCircuits: the validation data set is empty.");
  const nCandidates = checkCandidateBudget(sizes, opts);
  const threshold = opts.accuracyThreshold ?? 0.99;
  const wantMetrics = opts.metrics ?? true;
  const { x, y, w, u } = distinctRows(data);
  const nOut = sizes[L];
  const full = forwardAll(model, x, u)[L];
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
      // input (lowest bit = largest q) plus that input's term — the same float32 operations as forwardAll.
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
          buf[dst + r] = z >= 0 ? z : Math.fround(z * LEAKY_SLOPE);
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
    const score = (buf: Float32Array, off: Int32Array, edgesOn: number): void => {
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
          const rv = roundHalfEven(v);
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

/** Is circuit a contained in circuit b (every active node and edge of a is active in b)? The reference's `<=`. */
export function circuitIncluded(a: CircuitMasks, b: CircuitMasks): boolean {
  const sub = (x: Uint8Array[], y: Uint8Array[]) => x.every((m, i) => m.every((v, j) => !v || y[i][j]));
  return sub(a.nodeMasks, b.nodeMasks) && sub(a.edgeMasks, b.edgeMasks);
}

/** Jaccard overlap of the active edges of two circuits (|a ∩ b| / |a ∪ b|; 1 for two empty circuits). */
export function circuitJaccard(a: CircuitMasks, b: CircuitMasks): number {
  let inter = 0;
  let union = 0;
  a.edgeMasks.forEach((m, i) =>
    m.forEach((v, j) => {
      const w = b.edgeMasks[i][j];
      if (v && w) inter++;
      if (v || w) union++;
    }),
  );
  return union ? inter / union : 1;
}

/** Pairwise Jaccard matrix and inclusion matrix (inclusion[i][j]: circuit i ⊆ circuit j) of a list of circuits. */
export function circuitOverlaps(circuits: readonly CircuitMasks[]): { jaccard: number[][]; inclusion: boolean[][] } {
  return {
    jaccard: circuits.map((a) => circuits.map((b) => circuitJaccard(a, b))),
    inclusion: circuits.map((a) => circuits.map((b) => circuitIncluded(a, b))),
  };
}

/**
 * The circuits `--max-circuits m` grounds (SPEC 4.4): the m with the highest node sparsity (stable: ties keep
 * enumeration order), returned in enumeration order. All of them when there are at most m.
 */
export function sparsestCircuits(circuits: readonly PerfectCircuit[], m: number): PerfectCircuit[] {
  if (!Number.isInteger(m) || m < 0) throw new Error(`sparsestCircuits: m (max circuits) must be an integer ≥ 0, got ${m}.`);
  if (circuits.length <= m) return circuits.slice();
  const byPosition = circuits.map((_, i) => i);
  byPosition.sort((a, b) => circuits[b].nodeSparsity - circuits[a].nodeSparsity || a - b);
  return byPosition.slice(0, m).sort((a, b) => a - b).map((i) => circuits[i]);
}
