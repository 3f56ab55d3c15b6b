/**
 * Circuits, exact counting at scale (SPEC 4.3–4.4): the number of perfect circuits without evaluating candidates one
 * by one, for a model with one output, on data with few distinct rows (the 4 clean inputs).
 *
 * Why it works: every layer before the last hidden one is enumerated (a "context": its node masks and edge rows,
 * a few hundred at most), which fixes the activations of the last hidden layer's inputs. Given a context, each
 * neuron of the last hidden layer contributes one output term per incoming-edge row (its "option"), independent of
 * the other neurons, and the output's pre-bias value is the float32 sum of the active neurons' terms in index order
 * (the output's edge row must keep every active neuron). Two facts make the count cheap:
 *  - float32 addition is monotone in each argument, so the output on each row is bounded by the sums of the
 *    per-neuron minimum and maximum terms: a prefix of choices whose bounds already decide every row is counted
 *    (or dropped) at once;
 *  - for the last neuron, the terms that make a row correct form an interval in sorted order, so the accepted
 *    options are an AND of per-row prefix bitmasks (≤ 64 options: two 32-bit words), counted with popcount.
 * The arithmetic is the evaluator's (`findCircuits`): same float32 operations in the same order, so the counts agree
 * exactly with the enumeration (tests compare them candidate for candidate).
 */
import { CircuitMasks, LEAKY_SLOPE, MLP, roundHalfEven } from "../model";
import { Dataset } from "../tasks";
import { BudgetError, InputError } from "../errors";
import { EnumerationOptions, checkSizes, countCandidatesExact, countEdgeMatrices } from "./count";
import { activeList, edgeOptions, masksFromRows, nodeCombos } from "./enumerate";
import { checkCircuitInputs, distinctRows } from "./search";

export interface PerfectCountOptions extends EnumerationOptions {
  /** Keep circuits with accuracy strictly above this (SPEC 4.4). Default 0.99. */
  accuracyThreshold?: number;
  /** Refuse when the estimated work (prefix states of the last hidden layer) exceeds this. Default DEFAULT_MAX_PREFIX_STATES. */
  maxWork?: number;
}

export interface PerfectCount {
  /** Candidate circuits (closed form, SPEC 4.3). */
  nCandidates: number;
  /** Perfect circuits among them: what `findCircuits(...).circuits.length` would return. */
  perfect: number;
  /** Upper bound of the work (prefix states of the last hidden layer) the budget was checked against. */
  estimatedWork: number;
  /** Prefix states actually visited (the rest was decided in bulk by the bounds). */
  visited: number;
}

/** One perfect circuit as listed: its position among the candidates (enumeration order), masks and accuracy. */
export interface ListedCircuit {
  index: number;
  masks: CircuitMasks;
  accuracy: number;
}

/** Prefix states per second of the counter on this project's bench (2 slow cores), for time estimates. */
export const PREFIX_STATES_PER_SECOND = 5_000_000;
/** Default work budget of the counter: about 10 minutes at the rate above (the bounds usually cut most of it). */
export const DEFAULT_MAX_PREFIX_STATES = 3_000_000_000;
/** Distinct data rows the counter handles (bitmasks of rows); noisy data sets need `findCircuits`. */
export const MAX_DISTINCT_ROWS = 24;

// ---------------------------------------------------------------------------------------------------------------
// Preparation: rows, acceptance, per-row interval of accepted pre-bias output sums.

interface Prepared {
  sizes: number[];
  /** Index of the last hidden layer (activations numbered 0 = inputs … L = output). */
  d: number;
  u: number;
  /** Inputs, neuron-major: input j on row r at j * u + r. */
  input0: Float64Array;
  /** Per row: the float32 pre-bias output sums whose rounded output equals the label form [lo[r], hi[r]]. */
  lo: Float64Array;
  hi: Float64Array;
  weights: Float64Array;
  n: number;
  threshold: number;
  /** Only the all-rows-correct pattern is accepted (the clean-data case): fast bitmask path. */
  allRequired: boolean;
  full: number;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** Float32 values in order as integers (−0 just below +0). */
function orderKey(x: number): number {
  f32[0] = x;
  const b = i32[0];
  return b >= 0 ? b : -1 - (b & 0x7fffffff);
}
function fromKey(k: number): number {
  i32[0] = k >= 0 ? k : (-1 - k) | 0x80000000;
  return f32[0];
}

/** The output node's rounded value for a float32 pre-bias sum (the evaluator's last step). */
function roundedOutput(acc: number, bias: number): number {
  const z = Math.fround(acc + bias);
  return roundHalfEven(z >= 0 ? z : Math.fround(z * LEAKY_SLOPE));
}

/**
 * The float32 pre-bias sums whose rounded output equals `label`: an interval, since the output is monotone in the sum.
 * Returns [lo, hi] with lo > hi when no sum gives the label.
 */
export function acceptedSumInterval(bias: number, label: number): [number, number] {
  const kMin = orderKey(-3.4028234663852886e38);
  const kMax = orderKey(3.4028234663852886e38);
  // Smallest key with rounded ≥ label, largest key with rounded ≤ label.
  let a = kMin;
  let b = kMax + 1;
  while (a < b) {
    const m = Math.floor((a + b) / 2);
    if (roundedOutput(fromKey(m), bias) >= label) b = m;
    else a = m + 1;
  }
  const first = a;
  a = kMin - 1;
  b = kMax;
  while (a < b) {
    const m = Math.ceil((a + b) / 2);
    if (roundedOutput(fromKey(m), bias) <= label) a = m;
    else b = m - 1;
  }
  const last = a;
  if (first > kMax || last < kMin || first > last) return [1, 0];
  return [fromKey(first), fromKey(last)];
}

function prepare(model: MLP, data: Dataset, opts: PerfectCountOptions, caller: string): Prepared {
  checkCircuitInputs(model, data, caller);
  const sizes = model.layerSizes;
  const L = sizes.length - 1;
  if (sizes[L] !== 1)
    throw new InputError(`${caller}: the model has ${sizes[L]} outputs; count one output's sub-network at a time (splitOutputs(model)[o], as the analysis does).`);
  if (L < 2) throw new InputError(`${caller}: the model [${sizes.join(",")}] has no hidden layer; it is its own only circuit.`);
  const { x, y, w, u } = distinctRows(data);
  if (u > MAX_DISTINCT_ROWS)
    throw new InputError(`${caller}: the data has ${u} distinct rows; the counter handles at most ${MAX_DISTINCT_ROWS} (clean inputs have 4). Use findCircuits for noisy data.`);
  const threshold = opts.accuracyThreshold ?? 0.99;
  if (typeof threshold !== "number" || !(threshold >= 0 && threshold < 1)) throw new InputError(`${caller}: accuracyThreshold must be a number in [0, 1), got ${JSON.stringify(threshold)}.`);
  const input0 = new Float64Array(sizes[0] * u);
  for (let r = 0; r < u; r++) for (let j = 0; j < sizes[0]; j++) input0[j * u + r] = x[r * sizes[0] + j];
  const lo = new Float64Array(u);
  const hi = new Float64Array(u);
  const bias = model.biases[L - 1][0];
  for (let r = 0; r < u; r++) [lo[r], hi[r]] = acceptedSumInterval(bias, y[r]);
  const full = (1 << u) - 1;
  const prep: Prepared = { sizes, d: L - 1, u, input0, lo, hi, weights: w, n: data.n, threshold, allRequired: false, full };
  prep.allRequired = accepts(prep, full) && Array.from({ length: u }, (_, r) => !accepts(prep, full & ~(1 << r))).every(Boolean);
  return prep;
}

/** Does a set of correct rows (bitmask) pass the accuracy test? The evaluator's arithmetic (rows in order). */
function accepts(p: Prepared, pattern: number): boolean {
  let correct = 0;
  for (let r = 0; r < p.u; r++) if (pattern & (1 << r)) correct += p.weights[r];
  return correct / p.n > p.threshold;
}

// ---------------------------------------------------------------------------------------------------------------
// Contexts: the node masks and edge rows of the layers before the last hidden one, with the activations they give.

interface Context {
  /** Edge-option rows of weight matrices 0 … d−2 (enumerate.ts's form). */
  rows: Int32Array[];
  /** Activations of the active neurons of layer d−1, neuron-major (n × u). */
  h: Float64Array;
  /** Per neuron k of layer d and option v (1 … 2^n − 1): its output term on each row, at (k * (nOpts + 1) + v) * u + r. */
  terms: Float64Array;
  /** Per neuron k of layer d and option v: its activation on each row, same layout as `terms` (what grounding reads). */
  hidden: Float64Array;
  /** Per (k, r): smallest and largest term over the options. */
  minT: Float64Array;
  maxT: Float64Array;
  /** Per (k, r): the options' terms sorted ascending, and prefix bitmasks (options of sorted rank < i), W words each. */
  sorted?: Float64Array;
  prefixMasks?: Int32Array;
}

/** One layer's activations under one edge-option row set, the evaluator's float32 order (inputs in index order). */
function layerActivations(model: MLP, layer: number, ins: number[], outs: number[], rows: Int32Array, hIn: Float64Array, u: number): Float64Array {
  const W = model.weights[layer];
  const b = model.biases[layer];
  const nin = model.layerSizes[layer];
  const nIn = ins.length;
  const out = new Float64Array(outs.length * u);
  for (let p = 0; p < outs.length; p++) {
    const o = outs[p];
    for (let r = 0; r < u; r++) {
      let acc = 0;
      for (let q = 0; q < nIn; q++) if ((rows[p] >> (nIn - 1 - q)) & 1) acc = Math.fround(acc + Math.fround(W[o * nin + ins[q]] * hIn[q * u + r]));
      const z = Math.fround(acc + b[o]);
      out[p * u + r] = z >= 0 ? z : Math.fround(z * LEAKY_SLOPE);
    }
  }
  return out;
}

/** Every context of a node-mask prefix (active lists of layers 0 … d−1), in the enumeration order. */
function contextsOf(model: MLP, prep: Prepared, act: number[][]): Context[] {
  const { d, u } = prep;
  const out: Context[] = [];
  const options = Array.from({ length: d - 1 }, (_, i) => edgeOptions(act[i + 1].length, act[i].length));
  if (options.some((o) => o.length === 0)) return out;
  const chosen: Int32Array[] = [];
  const rec = (i: number, h: Float64Array): void => {
    if (i === d - 1) {
      out.push(withTerms(model, prep, act[d - 1], { rows: chosen.slice(), h, terms: new Float64Array(0), hidden: new Float64Array(0), minT: new Float64Array(0), maxT: new Float64Array(0) }));
      return;
    }
    for (const rows of options[i]) {
      chosen[i] = rows;
      rec(i + 1, layerActivations(model, i, act[i], act[i + 1], rows, h, u));
    }
  };
  rec(0, prep.input0.slice(0, act[0].length * u));
  return out;
}

/** Fills a context's option terms for every neuron of layer d (the evaluator's incremental float32 sums). */
function withTerms(model: MLP, prep: Prepared, ins: number[], c: Context): Context {
  const { d, u, sizes } = prep;
  const n = ins.length;
  const nOpts = (1 << n) - 1;
  const size = sizes[d];
  const W = model.weights[d - 1];
  const b = model.biases[d - 1];
  const wOut = model.weights[d];
  const nin = sizes[d - 1];
  const terms = new Float64Array(size * (nOpts + 1) * u);
  const hidden = new Float64Array(size * (nOpts + 1) * u);
  const raw = new Float64Array((nOpts + 1) * u);
  const minT = new Float64Array(size * u).fill(Infinity);
  const maxT = new Float64Array(size * u).fill(-Infinity);
  for (let k = 0; k < size; k++) {
    for (let v = 1; v <= nOpts; v++) {
      // A row's sum is the sum without its last input (lowest bit) plus that input's term: inputs in index order.
      const low = v & -v;
      const rest = v ^ low;
      const q = n - 1 - (31 - Math.clz32(low));
      const wq = W[k * nin + ins[q]];
      for (let r = 0; r < u; r++) {
        const acc = Math.fround((rest ? raw[rest * u + r] : 0) + Math.fround(wq * c.h[q * u + r]));
        raw[v * u + r] = acc;
        const z = Math.fround(acc + b[k]);
        const hk = z >= 0 ? z : Math.fround(z * LEAKY_SLOPE);
        const t = Math.fround(wOut[k] * hk);
        hidden[(k * (nOpts + 1) + v) * u + r] = hk;
        terms[(k * (nOpts + 1) + v) * u + r] = t;
        if (t < minT[k * u + r]) minT[k * u + r] = t;
        if (t > maxT[k * u + r]) maxT[k * u + r] = t;
      }
    }
  }
  c.terms = terms;
  c.hidden = hidden;
  c.minT = minT;
  c.maxT = maxT;
  return c;
}

/** Sorted terms and prefix bitmasks of a context (for the last neuron's interval queries), built on first use. */
function ensureSorted(c: Context, size: number, nOpts: number, u: number, words: number): void {
  if (c.sorted) return;
  const sorted = new Float64Array(size * u * nOpts);
  const prefix = new Int32Array(size * u * (nOpts + 1) * words);
  const idx = Array.from({ length: nOpts }, (_, i) => i + 1);
  for (let k = 0; k < size; k++)
    for (let r = 0; r < u; r++) {
      const t = (v: number) => c.terms[(k * (nOpts + 1) + v) * u + r];
      const order = idx.slice().sort((a, b) => t(a) - t(b));
      const sBase = (k * u + r) * nOpts;
      const pBase = (k * u + r) * (nOpts + 1) * words;
      for (let i = 0; i < nOpts; i++) {
        sorted[sBase + i] = t(order[i]);
        for (let w = 0; w < words; w++) prefix[pBase + (i + 1) * words + w] = prefix[pBase + i * words + w];
        const bit = order[i] - 1;
        prefix[pBase + (i + 1) * words + (bit >>> 5)] |= 1 << (bit & 31);
      }
    }
  c.sorted = sorted;
  c.prefixMasks = prefix;
}

// ---------------------------------------------------------------------------------------------------------------
// Combinatorics of the last hidden layer's edge rows (rows of nonempty subsets that together cover every input).

/** completions[r][c]: r-tuples of nonempty subsets of n items whose union covers c given items. */
function completionTable(n: number, maxR: number): number[][] {
  const binom = (a: number, k: number) => {
    let x = 1;
    for (let i = 0; i < k; i++) x = (x * (a - i)) / (i + 1);
    return Math.round(x);
  };
  const t: number[][] = [];
  for (let r = 0; r <= maxR; r++) {
    t.push([]);
    for (let c = 0; c <= n; c++) {
      let s = 0;
      for (let i = 0; i <= c; i++) s += (i % 2 ? -1 : 1) * binom(c, i) * (2 ** (n - i) - 1) ** r;
      t[r].push(s);
    }
  }
  return t;
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Rank of a row tuple among the covering tuples in the enumeration order (enumerate.ts's edgeOptions). */
function rowsRank(rows: Int32Array, n: number, comp: number[][]): number {
  const m = rows.length;
  const fullSet = (1 << n) - 1;
  let missing = fullSet;
  let rank = 0;
  for (let p = 0; p < m; p++) {
    for (let v = 1; v < rows[p]; v++) rank += comp[m - p - 1][popcount(missing & ~v)];
    missing &= ~rows[p];
  }
  return rank;
}

// ---------------------------------------------------------------------------------------------------------------
// The walk over node combinations shared by the estimate, the count and the listing.

interface Group {
  /** Active lists of layers 0 … d−1 (layer 0: every input). */
  act: number[][];
  /** Node combinations of the group (same layers 1 … d−1), with the last hidden layer's active list and the index base. */
  combos: { masks: Uint8Array[]; last: number[]; base: number; perContext: number }[];
}

/** Node combinations in enumeration order, grouped by their layers before the last hidden one. */
function* groups(sizes: readonly number[], opts: EnumerationOptions, d: number): Generator<Group> {
  let cur: Group | undefined;
  let key = "";
  let base = 0;
  for (const masks of nodeCombos(sizes, opts)) {
    const act = masks.map(activeList);
    const counts = act.map((a) => a.length);
    let per = 1;
    for (let i = 0; i < sizes.length - 1; i++) per *= Number(countEdgeMatrices(counts[i + 1], counts[i]));
    if (per === 0) continue;
    const k = masks.slice(1, d).map((m) => m.join("")).join("|");
    if (!cur || k !== key) {
      if (cur) yield cur;
      cur = { act: act.slice(0, d), combos: [] };
      key = k;
    }
    let contexts = 1;
    for (let i = 0; i < d - 1; i++) contexts *= Number(countEdgeMatrices(counts[i + 1], counts[i]));
    cur.combos.push({ masks, last: act[d], base, perContext: per / contexts });
    base += per;
  }
  if (cur) yield cur;
}

/**
 * The counter's work bound before running it: per node combination, contexts × options^(active last-layer neurons − 1)
 * (prefix states of the last hidden layer if no bound decided anything), with the time it would take.
 */
export function estimatePerfectCountWork(layerSizes: readonly number[], opts: EnumerationOptions = {}): { work: number; seconds: number } {
  checkSizes(layerSizes);
  const d = layerSizes.length - 2;
  let work = 0;
  for (const g of groups(layerSizes, opts, d)) {
    let contexts = 1;
    for (let i = 0; i < d - 1; i++) contexts *= Number(countEdgeMatrices(g.act[i + 1].length, g.act[i].length));
    const nOpts = 2 ** g.act[d - 1].length - 1;
    for (const c of g.combos) work += contexts * nOpts ** Math.max(0, c.last.length - 1);
  }
  return { work, seconds: work / PREFIX_STATES_PER_SECOND };
}

function checkWork(sizes: readonly number[], opts: PerfectCountOptions, caller: string): number {
  const { work, seconds } = estimatePerfectCountWork(sizes, opts);
  const limit = opts.maxWork ?? DEFAULT_MAX_PREFIX_STATES;
  if (!(work <= limit))
    throw new BudgetError(
      `${caller}: [${sizes.join(",")}] needs up to ${work.toExponential(2)} prefix states (about ${formatSeconds(seconds)} at ${PREFIX_STATES_PER_SECOND.toExponential(0)}/s before the bounds cut it), ` +
        `over maxWork = ${limit.toExponential(2)}. Raise maxWork, keep the sparsity cut (minSparsity), or count a narrower model.`,
      work,
      limit,
      seconds,
    );
  return work;
}

function formatSeconds(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/**
 * Which rows every completion of the choices j … m − 1 gets right (`out[0]`) and which some completion may get right
 * (`out[1]`), as row bitmasks, given the prefix sums at depth j (`states[j·u …]`): float32 addition is monotone in each
 * term, so adding every remaining neuron's smallest (largest) term bounds the final sum from below (above).
 */
function completionBounds(out: Int32Array, states: Float64Array, j: number, m: number, ks: readonly number[], minT: Float64Array, maxT: Float64Array, prep: Prepared): void {
  const { u, lo, hi } = prep;
  const sOff = j * u;
  let sure = 0;
  let possible = 0;
  for (let r = 0; r < u; r++) {
    let a = states[sOff + r];
    let b = a;
    for (let p = j; p < m; p++) {
      a = Math.fround(a + minT[ks[p] * u + r]);
      b = Math.fround(b + maxT[ks[p] * u + r]);
    }
    if (a >= lo[r] && b <= hi[r]) sure |= 1 << r;
    if (!(b < lo[r] || a > hi[r])) possible |= 1 << r;
  }
  out[0] = sure;
  out[1] = possible;
}

/**
 * Every row required: the options of the last neuron `k` that make every row correct after the prefix sums
 * `states[sOff … sOff + u)` and complete the covering of `missing`, as a bitmask in `acc` (bit v − 1 for option v,
 * 32 per word); false when there is none. On each row the accepted options are a range of its sorted terms (float32
 * sums are monotone), found by two bisections and read as a difference of two prefix bitmasks.
 */
function acceptedLastOptions(acc: Int32Array, missing: number, cover: Int32Array, states: Float64Array, sOff: number, k: number, prep: Prepared, nOpts: number, words: number, sorted: Float64Array, prefix: Int32Array): boolean {
  const { u, lo, hi } = prep;
  for (let w = 0; w < words; w++) acc[w] = cover[missing * words + w];
  for (let r = 0; r < u; r++) {
    const s = states[sOff + r];
    const a = lo[r];
    const bnd = hi[r];
    const sBase = (k * u + r) * nOpts;
    let i0 = 0;
    let i1 = nOpts;
    while (i0 < i1) {
      const mid = (i0 + i1) >>> 1;
      if (Math.fround(s + sorted[sBase + mid]) >= a) i1 = mid;
      else i0 = mid + 1;
    }
    let j0 = i0;
    let j1 = nOpts;
    while (j0 < j1) {
      const mid = (j0 + j1) >>> 1;
      if (Math.fround(s + sorted[sBase + mid]) > bnd) j1 = mid;
      else j0 = mid + 1;
    }
    if (j0 === i0) return false;
    const pBase = (k * u + r) * (nOpts + 1) * words;
    let any = 0;
    for (let w = 0; w < words; w++) any |= acc[w] &= prefix[pBase + j0 * words + w] & ~prefix[pBase + i0 * words + w];
    if (!any) return false;
  }
  return true;
}

/** Options whose row covers each set of missing inputs, `words` 32-bit words per set. */
function coverMasks(nOpts: number, words: number): Int32Array {
  const cover = new Int32Array((nOpts + 1) * words);
  for (let missing = 0; missing <= nOpts; missing++)
    for (let v = 1; v <= nOpts; v++) if ((v & missing) === missing) cover[missing * words + ((v - 1) >>> 5)] |= 1 << ((v - 1) & 31);
  return cover;
}

// ---------------------------------------------------------------------------------------------------------------
// Counting.

/**
 * The exact number of perfect circuits of a one-output model (SPEC 4.4: accuracy on `data` strictly above the
 * threshold), equal to `findCircuits(model, data, opts).circuits.length` but without evaluating the candidates one by
 * one: a trained [2,5,5,1] without the sparsity cut (1.2·10⁹ candidates) in seconds. Refuses (BudgetError) work over
 * `maxWork`; needs few distinct data rows (clean inputs).
 */
export function countPerfectCircuits(model: MLP, data: Dataset, opts: PerfectCountOptions = {}): PerfectCount {
  const prep = prepare(model, data, opts, "countPerfectCircuits");
  const { sizes, d, u, lo, hi } = prep;
  const estimatedWork = checkWork(sizes, opts, "countPerfectCircuits");
  const nCandidates = Number(countCandidatesExact(sizes, opts));
  let perfect = 0;
  let visited = 0;
  for (const g of groups(sizes, opts, d)) {
    const n = g.act[d - 1].length;
    const nOpts = (1 << n) - 1;
    const words = (nOpts + 31) >>> 5;
    const size = sizes[d];
    const contexts = contextsOf(model, prep, g.act);
    const maxM = Math.max(...g.combos.map((c) => c.last.length));
    const comp = completionTable(n, maxM);
    const cover = coverMasks(nOpts, words);
    const acc = new Int32Array(words);
    const states = new Float64Array((maxM + 1) * u);
    const bounds = new Int32Array(2);
    for (const combo of g.combos) {
      const ks = combo.last;
      const m = ks.length;
      for (const c of contexts) {
        if (prep.allRequired) ensureSorted(c, size, nOpts, u, words);
        const { terms, minT, maxT } = c;
        const sorted = c.sorted!;
        const prefix = c.prefixMasks!;
        // Accepted options of the last neuron given the prefix sum at depth m−1 (fast path: every row required).
        const leaf = (missing: number): number => {
          const k = ks[m - 1];
          const sOff = (m - 1) * u;
          if (prep.allRequired) {
            if (!acceptedLastOptions(acc, missing, cover, states, sOff, k, prep, nOpts, words, sorted, prefix)) return 0;
            let cnt = 0;
            for (let w = 0; w < words; w++) cnt += popcount(acc[w]);
            return cnt;
          }
          let cnt = 0;
          const tBase = k * (nOpts + 1);
          for (let v = 1; v <= nOpts; v++) {
            if ((v & missing) !== missing) continue;
            let pattern = 0;
            for (let r = 0; r < u; r++) {
              const o = Math.fround(states[sOff + r] + terms[(tBase + v) * u + r]);
              if (o >= lo[r] && o <= hi[r]) pattern |= 1 << r;
            }
            if (accepts(prep, pattern)) cnt++;
          }
          return cnt;
        };
        const rec = (j: number, missing: number): number => {
          visited++;
          const sOff = j * u;
          completionBounds(bounds, states, j, m, ks, minT, maxT, prep);
          const sure = bounds[0];
          const possible = bounds[1];
          if (prep.allRequired ? possible !== prep.full : !accepts(prep, possible)) return 0;
          if (prep.allRequired ? sure === prep.full : accepts(prep, sure)) return comp[m - j][popcount(missing)];
          if (j === m - 1) return leaf(missing);
          let total = 0;
          const tBase = ks[j] * (nOpts + 1);
          const nOff = sOff + u;
          for (let v = 1; v <= nOpts; v++) {
            for (let r = 0; r < u; r++) states[nOff + r] = Math.fround(states[sOff + r] + terms[(tBase + v) * u + r]);
            total += rec(j + 1, missing & ~v);
          }
          return total;
        };
        states.fill(0, 0, u);
        perfect += rec(0, nOpts);
      }
    }
  }
  return { nCandidates, perfect, estimatedWork, visited };
}

// ---------------------------------------------------------------------------------------------------------------
// Walking the perfect circuits in blocks (what aggregated counts over the circuits, e.g. their groundings, need).

/** The distinct data rows the walk decides perfection on (every one must be correct: the clean-data case). */
export interface PerfectWalkRows {
  /** Inputs of the distinct rows, row-major (u × inputs). */
  x: Float32Array;
  /** Their labels (u values: one output). */
  y: Float32Array;
  u: number;
}

/** One context of the walk: the layers before the last hidden one fixed, with what they give the last hidden layer. */
export interface PerfectWalkContext {
  /** Active neurons of the layer below the last hidden one (the network's inputs when there is one hidden layer). */
  below: readonly number[];
  /** Their activations on the distinct rows, neuron-major: neuron below[q] on row r at q * u + r. */
  h: Float64Array;
  /**
   * Edge-row options of a last-hidden-layer neuron: option v (1 … nOpts) keeps the edge from below[q] when bit
   * (below.length − 1 − q) of v is set, the reference's row order.
   */
  nOpts: number;
  /** Activation of last-hidden-layer neuron k under option v on row r, at (k * (nOpts + 1) + v) * u + r. */
  hidden: Float64Array;
}

export interface PerfectWalkVisitor {
  /** The next leaves are under this context, until the next call. */
  context(c: PerfectWalkContext): void;
  /** The next leaves keep these neurons of the last hidden layer (ascending), until the next call. */
  combo(last: readonly number[]): void;
  /**
   * Perfect circuits: the first m − 1 neurons of the combination take the options `prefix[0 … m − 2]`, the last one
   * any option whose bit is set in `mask` (bit v − 1 for option v, 32 per word). Both arrays are reused: copy to keep.
   */
  leaf(prefix: Int32Array, mask: Int32Array): void;
}

/**
 * Every perfect circuit of a one-output model, reported in blocks (a prefix of edge rows and the accepted rows of the
 * last neuron) rather than one by one: the counter's search and bounds, with the subtrees the bounds accept expanded
 * down to their last neuron. Only when every distinct row must be correct (the clean-data case; returns null
 * otherwise, without visiting anything). Returns the rows and the number of perfect circuits reported, which equals
 * `countPerfectCircuits(...).perfect`.
 */
export function walkPerfectCircuits(model: MLP, data: Dataset, opts: PerfectCountOptions, visitor: PerfectWalkVisitor): { rows: PerfectWalkRows; perfect: number } | null {
  const prep = prepare(model, data, opts, "walkPerfectCircuits");
  if (!prep.allRequired) return null;
  const { sizes, d, u } = prep;
  checkWork(sizes, opts, "walkPerfectCircuits");
  const { x, y } = distinctRows(data);
  let perfect = 0;
  for (const g of groups(sizes, opts, d)) {
    const below = g.act[d - 1];
    const n = below.length;
    const nOpts = (1 << n) - 1;
    const words = (nOpts + 31) >>> 5;
    const size = sizes[d];
    const contexts = contextsOf(model, prep, g.act);
    const maxM = Math.max(...g.combos.map((c) => c.last.length));
    const comp = completionTable(n, maxM);
    const cover = coverMasks(nOpts, words);
    const acc = new Int32Array(words);
    const states = new Float64Array((maxM + 1) * u);
    const bounds = new Int32Array(2);
    const chosen = new Int32Array(Math.max(1, maxM - 1));
    for (const c of contexts) {
      ensureSorted(c, size, nOpts, u, words);
      visitor.context({ below, h: c.h, nOpts, hidden: c.hidden });
      const { terms, minT, maxT } = c;
      const sorted = c.sorted!;
      const prefixMasks = c.prefixMasks!;
      for (const combo of g.combos) {
        const ks = combo.last;
        const m = ks.length;
        visitor.combo(ks);
        const report = (mask: Int32Array) => {
          for (let w = 0; w < words; w++) perfect += popcount(mask[w]);
          visitor.leaf(chosen, mask);
        };
        // Every completion of neurons j … m − 1 is perfect: list the prefixes, the last neuron by its covering options.
        const expand = (j: number, missing: number): void => {
          if (j === m - 1) {
            let any = 0;
            for (let w = 0; w < words; w++) any |= acc[w] = cover[missing * words + w];
            if (any) report(acc);
            return;
          }
          for (let v = 1; v <= nOpts; v++) {
            if (comp[m - j - 1][popcount(missing & ~v)] === 0) continue;
            chosen[j] = v;
            expand(j + 1, missing & ~v);
          }
        };
        const rec = (j: number, missing: number): void => {
          const sOff = j * u;
          completionBounds(bounds, states, j, m, ks, minT, maxT, prep);
          if (bounds[1] !== prep.full) return;
          if (bounds[0] === prep.full) return expand(j, missing);
          if (j === m - 1) {
            if (acceptedLastOptions(acc, missing, cover, states, sOff, ks[m - 1], prep, nOpts, words, sorted, prefixMasks)) report(acc);
            return;
          }
          const tBase = ks[j] * (nOpts + 1);
          const nOff = sOff + u;
          for (let v = 1; v <= nOpts; v++) {
            if (comp[m - j - 1][popcount(missing & ~v)] === 0) continue;
            chosen[j] = v;
            for (let r = 0; r < u; r++) states[nOff + r] = Math.fround(states[sOff + r] + terms[(tBase + v) * u + r]);
            rec(j + 1, missing & ~v);
          }
        };
        states.fill(0, 0, u);
        rec(0, nOpts);
      }
    }
  }
  return { rows: { x, y, u }, perfect };
}

// ---------------------------------------------------------------------------------------------------------------
// Listing.

/**
 * The perfect circuits one by one, lazily, in enumeration order (the same circuits, indices and order as
 * `findCircuits`), at most `limit` of them. Same search and bounds as the counter, without its bitmask shortcut.
 */
export function* listPerfectCircuits(model: MLP, data: Dataset, opts: PerfectCountOptions & { limit?: number } = {}): Generator<ListedCircuit> {
  const prep = prepare(model, data, opts, "listPerfectCircuits");
  const { sizes, d, u, lo, hi } = prep;
  const limit = opts.limit ?? Infinity;
  if (!(limit >= 0)) throw new InputError(`listPerfectCircuits: limit must be a number ≥ 0, got ${JSON.stringify(opts.limit)}.`);
  checkWork(sizes, opts, "listPerfectCircuits");
  let listed = 0;
  if (listed >= limit) return;
  for (const g of groups(sizes, opts, d)) {
    const n = g.act[d - 1].length;
    const nOpts = (1 << n) - 1;
    const contexts = contextsOf(model, prep, g.act);
    const maxM = Math.max(...g.combos.map((c) => c.last.length));
    const comp = completionTable(n, maxM);
    const states = new Float64Array((maxM + 1) * u);
    const bounds = new Int32Array(2);
    for (const combo of g.combos) {
      const ks = combo.last;
      const m = ks.length;
      const rows = new Int32Array(m);
      for (let ci = 0; ci < contexts.length; ci++) {
        const c = contexts[ci];
        const { terms, minT, maxT } = c;
        const patternAt = (j: number): number => {
          let pattern = 0;
          for (let r = 0; r < u; r++) if (states[j * u + r] >= lo[r] && states[j * u + r] <= hi[r]) pattern |= 1 << r;
          return pattern;
        };
        // Yields row tuples (every completion of a prefix whose bounds accept them all, or one by one).
        function* rec(j: number, missing: number, decided: boolean): Generator<number> {
          const sOff = j * u;
          if (j === m) {
            if (missing !== 0) return;
            const pattern = patternAt(m);
            if (decided || accepts(prep, pattern)) yield pattern;
            return;
          }
          if (!decided) {
            completionBounds(bounds, states, j, m, ks, minT, maxT, prep);
            if (!accepts(prep, bounds[1])) return;
            decided = accepts(prep, bounds[0]);
          }
          const tBase = ks[j] * (nOpts + 1);
          for (let v = 1; v <= nOpts; v++) {
            if (comp[m - j - 1][popcount(missing & ~v)] === 0) continue;
            rows[j] = v;
            for (let r = 0; r < u; r++) states[sOff + u + r] = Math.fround(states[sOff + r] + terms[(tBase + v) * u + r]);
            yield* rec(j + 1, missing & ~v, decided);
          }
        }
        states.fill(0, 0, u);
        for (const pattern of rec(0, nOpts, false)) {
          let correct = 0;
          for (let r = 0; r < u; r++) if (pattern & (1 << r)) correct += prep.weights[r];
          const allRows = [...c.rows, rows, Int32Array.of((1 << m) - 1)];
          yield {
            index: combo.base + ci * combo.perContext + rowsRank(rows, n, comp),
            masks: masksFromRows(sizes, combo.masks, allRows),
            accuracy: correct / prep.n,
          };
          if (++listed >= limit) return;
        }
      }
    }
  }
}
