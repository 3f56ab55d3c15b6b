/**
 * Interpretations summed over every perfect circuit of a model (SPEC 5), exact, without holding the circuits or their
 * groundings.
 *
 * Aggregated (networks with one or two hidden layers, one output, clean data): the counter's walk reports the perfect
 * circuits in blocks, and a circuit's grounding count depends only on the *multiset* of its last-hidden-layer neurons'
 * grounding signatures (which retained neurons below feed it, and its cut tables on the keys), given the layer below
 * (the walk's context). So the circuits are tallied per context by signature multiset, and each multiset's count is
 * computed once: a sum over the cut choices of the layer below, then a small dynamic programme over the neurons whose
 * state is the partition of the keys their chosen tables induce (what the output's local tables depend on).
 * Numbers: every local count is 2^e or, for two parents, 2^e minus 0 to 2 banned tables (XOR, XNOR); with the large
 * powers of two factored out, each multiset's remaining count is an integer below 2^53 (checked), and the totals are
 * bigints per power of two.
 *
 * Per circuit (other networks, noisy data): the circuits are streamed from the counter's listing and each one's
 * groundings counted layer by layer (countGroundings), estimated first and refused over budget.
 */
import { BudgetError, InputError } from "../errors";
import { PerfectCountOptions, PerfectWalkContext, countPerfectCircuits, distinctRows, listPerfectCircuits, walkPerfectCircuits } from "../circuits";
import { MLP } from "../model";
import { Dataset, cleanInputs } from "../tasks";
import { countGroundings } from "./count";
import { GroundingMode, groundingKeys, groundingProblem } from "./problem";

/** Seconds per grounded circuit of the seed-0 [2,5,5,1] model with the cut on this project's bench (2 slow cores: 26 268 in 6.6 s), for the estimate. */
export const SECONDS_PER_GROUNDED_CIRCUIT = 0.0003;
/** Default budget: perfect circuits grounded one after the other (about 10 minutes at the rate above). */
export const DEFAULT_MAX_GROUNDED_CIRCUITS = 2_000_000;

export type SummedInterpretationsMethod = "aggregated" | "per-circuit";

export interface SummedInterpretationsOptions extends PerfectCountOptions {
  groundingMode?: GroundingMode;
  /** Per circuit only: refuse when the model has more perfect circuits than this. Default DEFAULT_MAX_GROUNDED_CIRCUITS. */
  maxGroundedCircuits?: number;
  /** "auto" (default): aggregated where it applies, else per circuit. "aggregated" throws where it does not apply. */
  method?: "auto" | SummedInterpretationsMethod;
  /** Per circuit only: called every 1 000 circuits. */
  onProgress?: (done: number, total: number) => void;
}

export interface SummedInterpretations {
  /** Perfect circuits (all grounded). */
  circuits: number;
  /** Groundings summed over them, with multiplicities (the reference's count), exact. */
  interpretations: bigint;
  method: SummedInterpretationsMethod;
}

/** The number of perfect circuits, and the time their interpretations would take to count one circuit at a time. */
export function estimateSummedInterpretations(model: MLP, val: Dataset, opts: PerfectCountOptions = {}): { circuits: number; seconds: number } {
  const circuits = countPerfectCircuits(model, val, opts).perfect;
  return { circuits, seconds: circuits * SECONDS_PER_GROUNDED_CIRCUIT };
}

/**
 * Interpretations of every perfect circuit of a one-output model, summed exactly (a bigint: totals pass 2^53 at
 * k ≥ 4). `val` decides which circuits are perfect, `xTt` grounds them (SPEC 5). Aggregated over signature
 * multisets where that applies (one or two hidden layers, every distinct `val` row required, every grounding key's
 * row among `val`'s rows: the clean-data studies); otherwise circuit by circuit, refused with a BudgetError carrying
 * the circuit count and the time estimate when there are more than `maxGroundedCircuits` perfect circuits.
 */
export function sumCircuitInterpretations(model: MLP, val: Dataset, xTt: { x: ArrayLike<number>; n: number }, opts: SummedInterpretationsOptions = {}): SummedInterpretations {
  if (!xTt || typeof xTt !== "object" || !Number.isInteger(xTt.n) || xTt.n < 1 || !xTt.x || xTt.x.length !== xTt.n * model.layerSizes[0])
    throw new InputError(`sumCircuitInterpretations: xTt must be the grounding inputs { x (n × ${model?.layerSizes?.[0]} values), n ≥ 1 }, e.g. a model file's xTt.`);
  const method = opts.method ?? "auto";
  if (method !== "auto" && method !== "aggregated" && method !== "per-circuit")
    throw new InputError(`sumCircuitInterpretations: method must be "auto", "aggregated" or "per-circuit", got ${JSON.stringify(method)}.`);
  if (method !== "per-circuit") {
    const why = aggregationObstacle(model, val, xTt, opts);
    if (why === null) {
      const r = sumAggregated(model, val, xTt, opts);
      if (r) return r;
    }
    if (method === "aggregated")
      throw new InputError(`sumCircuitInterpretations: the aggregated count does not apply here (${why ?? "some distinct rows of val may be wrong in a perfect circuit"}); use method "per-circuit".`);
  }
  const { circuits, seconds } = estimateSummedInterpretations(model, val, opts);
  const limit = opts.maxGroundedCircuits ?? DEFAULT_MAX_GROUNDED_CIRCUITS;
  if (circuits > limit)
    throw new BudgetError(
      `sumCircuitInterpretations: ${circuits.toLocaleString("en-US")} perfect circuits to ground, about ${(seconds / 3600).toFixed(1)} h at ${SECONDS_PER_GROUNDED_CIRCUIT * 1000} ms each, ` +
        `over maxGroundedCircuits = ${limit.toLocaleString("en-US")}. Raise maxGroundedCircuits, keep the sparsity cut, or count the circuits only (countPerfectCircuits).`,
      circuits,
      limit,
      seconds,
    );
  let total = 0n;
  let done = 0;
  for (const c of listPerfectCircuits(model, val, opts)) {
    total += BigInt(countGroundings(groundingProblem(model, c.masks, xTt.x, xTt.n, opts.groundingMode ?? "compat")));
    if (opts.onProgress && ++done % 1000 === 0) opts.onProgress(done, circuits);
  }
  return { circuits, interpretations: total, method: "per-circuit" };
}

// ---------------------------------------------------------------------------------------------------------------
// Aggregated count.

/** Most grounding keys the aggregated count handles (partition labels packed 4 bits per key in a 32-bit state). */
const MAX_KEYS = 7;
const TWO53 = 2 ** 53;

interface Keys {
  /** Distinct data row (distinctRows order) of each grounding key: the activations the key is grounded on. */
  keyRow: Int32Array;
  /** Output cut tables on the keys (bit k: key k above the cut), from the labels (perfect circuits output them). */
  outTables: number[];
}

/** The grounding keys as rows of `val`, or the reason the aggregated count does not apply. */
function groundingRows(model: MLP, val: Dataset, xTt: { x: ArrayLike<number>; n: number }, mode: GroundingMode): Keys | string {
  const ni = model.layerSizes[0];
  let reps: Float32Array;
  if (mode === "corrected") reps = Float32Array.from(cleanInputs(ni));
  else {
    const { keys, rowOfKey } = groundingKeys(xTt.x, xTt.n, ni);
    reps = new Float32Array(keys.length * ni);
    for (let k = 0; k < keys.length; k++) for (let j = 0; j < ni; j++) reps[k * ni + j] = xTt.x[rowOfKey[k] * ni + j];
  }
  const nk = reps.length / ni;
  if (nk > MAX_KEYS) return `${nk} grounding keys, over ${MAX_KEYS}`;
  const { x, y, u } = distinctRows(val);
  const keyRow = new Int32Array(nk);
  const labels: number[] = [];
  for (let k = 0; k < nk; k++) {
    let found = -1;
    for (let r = 0; r < u && found < 0; r++) {
      let same = true;
      for (let j = 0; j < ni && same; j++) same = x[r * ni + j] === reps[k * ni + j];
      if (same) found = r;
    }
    if (found < 0) return `grounding key ${k} (row ${Array.from(reps.subarray(k * ni, (k + 1) * ni)).join(",")}) is not a row of val`;
    keyRow[k] = found;
    labels.push(y[found]);
  }
  return { keyRow, outTables: cutTables(labels) };
}

/** Why the aggregated count does not apply (null when it does, provided every distinct row of val is required). */
function aggregationObstacle(model: MLP, val: Dataset, xTt: { x: ArrayLike<number>; n: number }, opts: SummedInterpretationsOptions): string | null {
  const sizes = model?.layerSizes;
  if (!Array.isArray(sizes) || sizes.length < 3 || sizes.length > 4) return `${Array.isArray(sizes) ? sizes.length - 2 : "no"} hidden layers (it handles one or two)`;
  if (sizes[sizes.length - 1] !== 1) return `${sizes[sizes.length - 1]} outputs (split them with splitOutputs)`;
  const below = sizes[sizes.length - 3];
  const last = sizes[sizes.length - 2];
  // Signature ids of a context fit the packed multiset keys (base^neurons below 2^53).
  if ((last * 2 ** below + 2) ** last > TWO53) return `layer sizes [${sizes.join(",")}] too wide for the signature keys`;
  const keys = groundingRows(model, val, xTt, opts.groundingMode ?? "compat");
  return typeof keys === "string" ? keys : null;
}

/** Cut tables of values on the keys (SPEC 5: thresholds between consecutive distinct values), as key bitmasks. */
function cutTables(values: ArrayLike<number>): number[] {
  const sorted = Float64Array.from(values).sort();
  const tables: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) continue;
    let t = 0;
    for (let k = 0; k < values.length; k++) if (values[k] >= sorted[i]) t |= 1 << k;
    tables.push(t);
  }
  return tables;
}

/**
 * Local count of a node's cut table `t` given its parents' tables, divided by 2^(2^parents − scale): a node's local
 * table has 2^parents entries, the keys fix one per distinct parent tuple (b of them) and must agree, the rest are free
 * (2^(2^parents − b)); with two parents XOR and XNOR are banned (SPEC 5). Returns 2^(scale − b) minus the banned
 * tables scaled, an integer since scale ≥ max(keys, 4).
 */
function scaledLocalCount(t: number, parents: readonly number[], nk: number, scale: number): number {
  const tupleBit = new Int8Array(1 << parents.length).fill(-1);
  let b = 0;
  let xorOk = true;
  let xnorOk = true;
  for (let k = 0; k < nk; k++) {
    let tuple = 0;
    for (let q = 0; q < parents.length; q++) tuple = (tuple << 1) | ((parents[q] >>> k) & 1);
    const bit = (t >>> k) & 1;
    if (tupleBit[tuple] === -1) {
      tupleBit[tuple] = bit;
      b++;
    } else if (tupleBit[tuple] !== bit) return 0;
    const parity = parents.length === 2 ? (tuple ^ (tuple >> 1)) & 1 : 0;
    if (bit !== parity) xorOk = false;
    if (bit === parity) xnorOk = false;
  }
  let count = 2 ** (scale - b);
  if (parents.length === 2) count -= ((xorOk ? 1 : 0) + (xnorOk ? 1 : 0)) * 2 ** (scale - 4);
  return count;
}

/** Per-key labels of a state: 4 bits per key; relabelled in first-appearance order (the partition they induce). */
function canonical(state: number, nk: number): number {
  const seen = new Int8Array(16).fill(-1);
  let next = 0;
  let out = 0;
  for (let k = 0; k < nk; k++) {
    const l = (state >>> (4 * k)) & 15;
    if (seen[l] === -1) seen[l] = next++;
    out |= seen[l] << (4 * k);
  }
  return out;
}

/** What one context's circuits share: the retained neurons below with their cut tables, the signatures seen so far. */
class ContextTally {
  /** Cut tables (key bitmasks) of each retained neuron below (two hidden layers; none with one). */
  readonly belowCuts: number[][] = [];
  /** Signature id of (last-hidden neuron k, option v), −1 until computed; 0 for a dropped neuron (constant on the keys). */
  readonly sigOf: Int32Array;
  readonly sigKey = new Map<string, number>();
  /** Per signature id (from 1): retained parents (indices into belowCuts) and cut tables. */
  readonly sigParents: number[][] = [[]];
  readonly sigTables: number[][] = [[]];
  /** Circuits per signature multiset (packed sorted ids). */
  readonly tally = new Map<number, number>();
  /** Index into belowCuts of each active neuron below, −1 when dropped. */
  readonly belowIndex: Int32Array;

  constructor(
    readonly c: PerfectWalkContext,
    readonly keys: Keys,
    readonly u: number,
    readonly size: number,
    readonly twoLayers: boolean,
  ) {
    this.sigOf = new Int32Array(size * (c.nOpts + 1)).fill(-1);
    const nk = keys.keyRow.length;
    this.belowIndex = new Int32Array(c.below.length).fill(-1);
    if (twoLayers)
      for (let q = 0; q < c.below.length; q++) {
        const cuts = cutTables(Array.from({ length: nk }, (_, k) => c.h[q * u + keys.keyRow[k]]));
        if (cuts.length === 0) continue;
        this.belowIndex[q] = this.belowCuts.length;
        this.belowCuts.push(cuts);
      }
  }
  sigma(k: number, v: number): number {
    const at = k * (this.c.nOpts + 1) + v;
    const known = this.sigOf[at];
    if (known >= 0) return known;
    const { keyRow } = this.keys;
    const nk = keyRow.length;
    const base = at * this.u;
    const tables = cutTables(Array.from({ length: nk }, (_, i) => this.c.hidden[base + keyRow[i]]));
    let id = 0;
    if (tables.length > 0) {
      const n = this.c.below.length;
      const parents: number[] = [];
      if (this.twoLayers) for (let q = 0; q < n; q++) if ((v >> (n - 1 - q)) & 1 && this.belowIndex[q] >= 0) parents.push(this.belowIndex[q]);
      const key = `${parents.join(",")}|${tables.join(",")}`;
      id = this.sigKey.get(key) ?? 0;
      if (id === 0) {
        id = this.sigParents.length;
        this.sigKey.set(key, id);
        this.sigParents.push(parents);
        this.sigTables.push(tables);
      }
    }
    this.sigOf[at] = id;
    return id;
  }
}

/**
 * Groundings of every circuit whose last-hidden-layer signatures are the multiset `ids`, given the context:
 * { n, exponent } with count = n · 2^exponent, n an integer below 2^53.
 */
function multisetGroundings(t: ContextTally, ids: readonly number[], scale: number): { n: number; exponent: number } {
  const nk = t.keys.keyRow.length;
  const { outTables } = t.keys;
  const p = ids.length;
  let exponent = outTables.length > 0 ? 2 ** p - scale : 0;
  if (t.twoLayers) for (const id of ids) exponent += 2 ** t.sigParents[id].length - scale;
  // Cut choices of the retained neurons below: mixed radix.
  const below = t.belowCuts;
  const nC = below.reduce((a, cuts) => a * cuts.length, 1);
  const choice = new Int32Array(below.length);
  let n = 0;
  let states = new Map<number, number>();
  for (let ci = 0; ci < nC; ci++) {
    let rest = ci;
    for (let r = below.length - 1; r >= 0; r--) {
      choice[r] = rest % below[r].length;
      rest = Math.floor(rest / below[r].length);
    }
    states.clear();
    states.set(0, 1);
    for (const id of ids) {
      const parents = t.sigParents[id].map((r) => below[r][choice[r]]);
      const next = new Map<number, number>();
      for (const table of t.sigTables[id]) {
        // One hidden layer: its neurons are layer 1, one grounding per cut (SPEC 5).
        const w = t.twoLayers ? scaledLocalCount(table, parents, nk, scale) : 1;
        if (w === 0) continue;
        for (const [state, sw] of states) {
          let s2 = 0;
          for (let k = 0; k < nk; k++) s2 |= ((((state >>> (4 * k)) & 15) << 1) | ((table >>> k) & 1)) << (4 * k);
          if (p > 2) s2 = canonical(s2, nk);
          next.set(s2, (next.get(s2) ?? 0) + sw * w);
        }
      }
      states = next;
      if (states.size === 0) break;
    }
    for (const [state, sw] of states) {
      let out = 1;
      if (outTables.length > 0) {
        // The output's parents are the retained neurons; their tuple on key k is the state's label.
        const labels: number[] = [];
        for (let k = 0; k < nk; k++) labels.push((state >>> (4 * k)) & 15);
        out = 0;
        for (const o of outTables) out += scaledLocalCountLabels(o, labels, p, nk, scale);
      }
      n += sw * out;
    }
    if (!(n < TWO53)) throw new Error(`sumCircuitInterpretations: a signature multiset's scaled count passed 2^53 (${n}); it is no longer exact.`);
  }
  return { n, exponent };
}

/** scaledLocalCount for the output, whose parent tuples are given as per-key labels (raw tuples when p ≤ 2). */
function scaledLocalCountLabels(o: number, labels: readonly number[], p: number, nk: number, scale: number): number {
  const bitOf = new Int8Array(16).fill(-1);
  let b = 0;
  let xorOk = true;
  let xnorOk = true;
  for (let k = 0; k < nk; k++) {
    const bit = (o >>> k) & 1;
    const l = labels[k];
    if (bitOf[l] === -1) {
      bitOf[l] = bit;
      b++;
    } else if (bitOf[l] !== bit) return 0;
    const parity = p === 2 ? (l ^ (l >> 1)) & 1 : 0;
    if (bit !== parity) xorOk = false;
    if (bit === parity) xnorOk = false;
  }
  let count = 2 ** (scale - b);
  if (p === 2) count -= ((xorOk ? 1 : 0) + (xnorOk ? 1 : 0)) * 2 ** (scale - 4);
  return count;
}

function sumAggregated(model: MLP, val: Dataset, xTt: { x: ArrayLike<number>; n: number }, opts: SummedInterpretationsOptions): SummedInterpretations | null {
  const keys = groundingRows(model, val, xTt, opts.groundingMode ?? "compat") as Keys;
  const sizes = model.layerSizes;
  const twoLayers = sizes.length === 4;
  const size = sizes[sizes.length - 2];
  const nk = keys.keyRow.length;
  const scale = Math.max(nk, 4);
  const { u } = distinctRows(val);
  // Totals per power of two: float64 while exact, bigints beyond. Exponents start at −offset.
  const offset = scale * (size + 1);
  const topExponent = size * 2 ** sizes[sizes.length - 3] + 2 ** size + 1;
  const small = new Float64Array(offset + topExponent + 1);
  const big: bigint[] = Array.from({ length: small.length }, () => 0n);
  const add = (count: number, n: number, exponent: number) => {
    const i = exponent + offset;
    const v = count * n;
    if (v < TWO53 && small[i] + v < TWO53) small[i] += v;
    else {
      big[i] += BigInt(small[i]) + BigInt(count) * BigInt(n);
      small[i] = 0;
    }
  };
  let tally: ContextTally | null = null;
  let ks: readonly number[] = [];
  const base = size * 2 ** sizes[sizes.length - 3] + 2;
  const pow = Array.from({ length: size + 1 }, (_, i) => base ** i);
  const pre = new Int32Array(size);
  const flush = () => {
    if (!tally) return;
    const ids: number[] = [];
    for (const [key, count] of tally.tally) {
      ids.length = 0;
      for (let rest = key; rest > 0; rest = Math.floor(rest / base)) ids.push(rest % base);
      const { n, exponent } = multisetGroundings(tally, ids, scale);
      if (n > 0) add(count, n, exponent);
    }
  };
  const walk = walkPerfectCircuits(model, val, opts, {
    context(c) {
      flush();
      tally = new ContextTally(c, keys, u, size, twoLayers);
    },
    combo(last) {
      ks = last;
    },
    leaf(prefix, mask) {
      const t = tally!;
      const m = ks.length;
      // Sorted retained signatures of the first m − 1 neurons (insertion sort: at most a handful).
      let np = 0;
      for (let j = 0; j < m - 1; j++) {
        const id = t.sigma(ks[j], prefix[j]);
        if (id === 0) continue;
        let i = np++;
        while (i > 0 && pre[i - 1] > id) {
          pre[i] = pre[i - 1];
          i--;
        }
        pre[i] = id;
      }
      const kLast = ks[m - 1];
      for (let w = 0; w < mask.length; w++) {
        let bits = mask[w];
        while (bits) {
          const low = bits & -bits;
          bits ^= low;
          const v = w * 32 + (31 - Math.clz32(low)) + 1;
          const id = t.sigma(kLast, v);
          let key = 0;
          let at = 0;
          let placed = id === 0;
          for (let i = 0; i < np; i++) {
            if (!placed && id < pre[i]) {
              key += id * pow[at++];
              placed = true;
            }
            key += pre[i] * pow[at++];
          }
          if (!placed) key += id * pow[at];
          t.tally.set(key, (t.tally.get(key) ?? 0) + 1);
        }
      }
    },
  });
  if (!walk) return null;
  flush();
  let total = 0n;
  for (let i = 0; i < small.length; i++) total += (big[i] + BigInt(small[i])) << BigInt(i);
  const scaled = total >> BigInt(offset);
  if (scaled << BigInt(offset) !== total) throw new Error("sumCircuitInterpretations: the aggregated total is not a whole number (an internal error).");
  return { circuits: walk.perfect, interpretations: scaled, method: "aggregated" };
}
