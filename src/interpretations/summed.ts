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

/**
 * Most grounding keys the aggregated count handles: a state (per-key labels of the parent tuples the output sees) packs
 * 2 bits per key in a byte, and the local counts scaled by 2^−(2^parents − 4) are whole numbers.
 */
const MAX_KEYS = 4;
const SCALE = 4;
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
  if (below > 8) return `${below} neurons below the last hidden layer (parent tuples are indexed in a byte: at most 8)`;
  // Signature ids of a context fit the packed multiset keys (base^neurons below 2^53).
  if ((last * 2 ** below + 2) ** last > TWO53) return `layer sizes [${sizes.join(",")}] too wide for the signature keys`;
  // Scaled counts stay whole numbers below 2^53: cut choices below × per-neuron cuts × largest scaled local count.
  if (3 ** below * (3 * 2 ** (SCALE - 1)) ** (last + 1) >= TWO53) return `layer sizes [${sizes.join(",")}] too wide for exact float64 sums`;
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

const tupleBit = new Int8Array(1 << 8);

/**
 * Local count of a node's cut table `t` given its parents' tuples on each key (`tupleOf(k)`, `p` parents), divided by
 * 2^(2^p − SCALE): the local table has 2^p entries, the keys fix one per distinct tuple (b of them) and must agree,
 * the rest are free (2^(2^p − b)); with two parents XOR and XNOR are banned (SPEC 5). A whole number (b ≤ 4).
 */
function scaledLocalCount(t: number, tuples: ArrayLike<number>, p: number, nk: number): number {
  for (let k = 0; k < nk; k++) tupleBit[tuples[k]] = -1;
  let b = 0;
  let xorOk = p === 2;
  let xnorOk = p === 2;
  for (let k = 0; k < nk; k++) {
    const tuple = tuples[k];
    const bit = (t >>> k) & 1;
    if (tupleBit[tuple] === -1) {
      tupleBit[tuple] = bit;
      b++;
    } else if (tupleBit[tuple] !== bit) return 0;
    const parity = (tuple ^ (tuple >> 1)) & 1;
    if (bit !== parity) xorOk = false;
    if (bit === parity) xnorOk = false;
  }
  return 2 ** (SCALE - b) - ((xorOk ? 1 : 0) + (xnorOk ? 1 : 0)) * 2 ** (SCALE - 4);
}

/**
 * States of the dynamic programme over a multiset's neurons: the tuple of chosen cut-table bits on each key, 2 bits
 * per key. Up to two neurons the tuples are kept as they are (the two-parent XOR ban needs them); from the third on
 * only the partition of the keys matters, relabelled in first-appearance order. next(state, table, canonical).
 */
function stateTransitions(nk: number): Uint8Array {
  const next = new Uint8Array(2 * 256 * 16);
  const seen = new Int8Array(8);
  for (let canon = 0; canon < 2; canon++)
    for (let state = 0; state < 256; state++)
      for (let t = 0; t < 16; t++) {
        seen.fill(-1);
        let labels = 0;
        let fresh = 0;
        for (let k = 0; k < nk; k++) {
          let l = ((((state >> (2 * k)) & 3) << 1) | ((t >> k) & 1)) & 7;
          if (canon) {
            if (seen[l] === -1) seen[l] = fresh++;
            l = seen[l];
          }
          labels |= (l & 3) << (2 * k);
        }
        next[(canon * 256 + state) * 16 + t] = labels;
      }
  return next;
}

/** What one context's circuits share: the retained neurons below with their cut tables, the signatures seen so far. */
class ContextTally {
  /** Cut tables (key bitmasks) of each retained neuron below (two hidden layers; none with one). */
  readonly belowCuts: number[][] = [];
  /** Index into belowCuts of each active neuron below, −1 when dropped. */
  readonly belowIndex: Int32Array;
  /** Cut choices of the retained neurons below (mixed radix), and each choice's table per retained neuron. */
  readonly nC: number;
  readonly choiceTables: Int32Array;
  /** Signature id of (last-hidden neuron k, option v), −1 until computed; 0 for a dropped neuron (constant on the keys). */
  readonly sigOf: Int32Array;
  readonly sigKey = new Map<string, number>();
  /** Per signature id (from 1): retained parents (indices into belowCuts), cut tables, scaled local counts per cut choice below. */
  readonly sigParents: number[][] = [[]];
  readonly sigTables: number[][] = [[]];
  readonly sigCounts: (Float64Array | undefined)[] = [undefined];
  /**
   * Circuits per multiset of the other neurons' signatures (packed sorted ids) and last neuron's (neuron, option):
   * counts at k * (nOpts + 1) + v.
   */
  readonly tally = new Map<number, Float64Array>();

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
    const nR = this.belowCuts.length;
    this.nC = this.belowCuts.reduce((a, cuts) => a * cuts.length, 1);
    this.choiceTables = new Int32Array(this.nC * nR);
    for (let ci = 0; ci < this.nC; ci++) {
      let rest = ci;
      for (let r = nR - 1; r >= 0; r--) {
        const cuts = this.belowCuts[r];
        this.choiceTables[ci * nR + r] = cuts[rest % cuts.length];
        rest = Math.floor(rest / cuts.length);
      }
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
        this.sigCounts.push(undefined);
      }
    }
    this.sigOf[at] = id;
    return id;
  }

  /** Scaled local counts of signature `id`'s cuts under every cut choice below: (cut, choice) at cut * nC + choice. */
  counts(id: number): Float64Array {
    const known = this.sigCounts[id];
    if (known) return known;
    const tables = this.sigTables[id];
    const parents = this.sigParents[id];
    const nk = this.keys.keyRow.length;
    const nR = this.belowCuts.length;
    const out = new Float64Array(this.nC * tables.length);
    const tuples = new Int32Array(nk);
    for (let ci = 0; ci < this.nC; ci++) {
      for (let k = 0; k < nk; k++) {
        let tuple = 0;
        for (const r of parents) tuple = (tuple << 1) | ((this.choiceTables[ci * nR + r] >>> k) & 1);
        tuples[k] = tuple;
      }
      // One hidden layer: its neurons are layer 1, one grounding per cut (SPEC 5).
      for (let j = 0; j < tables.length; j++) out[j * this.nC + ci] = this.twoLayers ? scaledLocalCount(tables[j], tuples, parents.length, nk) : 1;
    }
    this.sigCounts[id] = out;
    return out;
  }
}

/**
 * The scaled groundings of one context's circuits. The multisets of the other neurons' signatures are visited in
 * lexicographic order, one state vector per depth (cut choice below × state) shared by common prefixes; each
 * multiset's vector is folded with the output's counts into W[table][choice] once, so that each last neuron's
 * signature costs one pass over its cut choices. Calls `emit(count, n, exponent)`: count circuits with n · 2^exponent
 * groundings each.
 */
function groundMultisets(t: ContextTally, next: Uint8Array, outScaled: Float64Array[], emit: (count: number, n: number, exponent: number) => void, base: number): void {
  const keys = [...t.tally.keys()];
  const idsOf = keys.map((key) => {
    const ids: number[] = [];
    for (let rest = key; rest > 0; rest = Math.floor(rest / base)) ids.push(rest % base);
    return ids;
  });
  const order = keys.map((_, i) => i);
  order.sort((x, y) => {
    const a = idsOf[x];
    const b = idsOf[y];
    for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  });
  const nC = t.nC;
  const hasOutput = t.keys.outTables.length > 0;
  const maxDepth = idsOf.reduce((m, ids) => Math.max(m, ids.length), 0);
  // Per depth: the states (codes) and the vector over (cut choice below, state index).
  const stateCodes: Uint8Array[] = [Uint8Array.of(0)];
  const nStates = [1];
  const vectors: Float64Array[] = [new Float64Array(nC).fill(1)];
  const exps: number[] = [0];
  for (let depth = 1; depth <= maxDepth; depth++) {
    stateCodes.push(new Uint8Array(256));
    nStates.push(0);
    vectors.push(new Float64Array(nC * 256));
    exps.push(0);
  }
  const pathIds: number[] = [];
  const index = new Int16Array(256);
  const W = new Float64Array(nC * 16);
  const folded = new Uint8Array(16);
  const outOf = new Float64Array(256);
  const target = new Int32Array(16 * 256);
  const perId = new Float64Array(t.sigParents.length);
  const seenIds: number[] = [];
  const outExps = Array.from({ length: maxDepth + 2 }, (_, p) => (hasOutput ? 2 ** p - SCALE : 0));
  for (const e of order) {
    const ids = idsOf[e];
    let common = 0;
    while (common < ids.length && common < pathIds.length && ids[common] === pathIds[common]) common++;
    pathIds.length = common;
    for (let d = common; d < ids.length; d++) {
      const id = ids[d];
      const counts = t.counts(id);
      const tables = t.sigTables[id];
      const nt = tables.length;
      const canon = d + 1 >= 3 ? 1 : 0;
      const inCodes = stateCodes[d];
      const nIn = nStates[d];
      const vin = vectors[d];
      // The states reachable at depth d + 1, whatever the cut choice below.
      index.fill(-1);
      const outCodes = stateCodes[d + 1];
      let nOut = 0;
      for (let a = 0; a < nIn; a++)
        for (let j = 0; j < nt; j++) {
          const code = next[(canon * 256 + inCodes[a]) * 16 + tables[j]];
          if (index[code] === -1) {
            index[code] = nOut;
            outCodes[nOut++] = code;
          }
        }
      for (let j = 0; j < nt; j++) for (let a = 0; a < nIn; a++) target[j * nIn + a] = index[next[(canon * 256 + inCodes[a]) * 16 + tables[j]]];
      const vout = vectors[d + 1];
      vout.fill(0, 0, nC * nOut);
      for (let ci = 0; ci < nC; ci++)
        for (let j = 0; j < nt; j++) {
          const w = counts[j * nC + ci];
          if (w === 0) continue;
          for (let a = 0; a < nIn; a++) {
            const v = vin[ci * nIn + a];
            if (v !== 0) vout[ci * nOut + target[j * nIn + a]] += v * w;
          }
        }
      nStates[d + 1] = nOut;
      exps[d + 1] = exps[d] + (t.twoLayers ? 2 ** t.sigParents[id].length - SCALE : 0);
      pathIds.push(id);
    }
    // Circuits per last signature (several (neuron, option) pairs may share one).
    const lastCounts = t.tally.get(keys[e])!;
    seenIds.length = 0;
    for (let at = 0; at < lastCounts.length; at++) {
      const c = lastCounts[at];
      if (c === 0) continue;
      const id = t.sigOf[at];
      if (perId[id] === 0) seenIds.push(id);
      perId[id] += c;
    }
    const d = ids.length;
    const vin = vectors[d];
    const codes = stateCodes[d];
    const nS = nStates[d];
    const check = (n: number) => {
      if (!(n < TWO53)) throw new Error(`sumCircuitInterpretations: a signature multiset's scaled count passed 2^53 (${n}); it is no longer exact.`);
      return n;
    };
    folded.fill(0);
    for (const id of seenIds) {
      const count = perId[id];
      perId[id] = 0;
      if (id === 0) {
        // The last neuron is dropped: the multiset is the other neurons' alone.
        const out = outScaled[d === 2 ? 1 : 0];
        let n = 0;
        for (let ci = 0; ci < nC; ci++) for (let a = 0; a < nS; a++) n += vin[ci * nS + a] * out[codes[a]];
        if (check(n) > 0) emit(count, n, exps[d] + outExps[d]);
        continue;
      }
      // W[table][choice]: the other neurons' vector with the last table added and the output counted (p = d + 1),
      // for the tables this multiset's last signatures use.
      const out = outScaled[d + 1 === 2 ? 1 : 0];
      const canon = d + 1 >= 3 ? 1 : 0;
      for (const tb of t.sigTables[id]) {
        if (folded[tb]) continue;
        folded[tb] = 1;
        for (let a = 0; a < nS; a++) outOf[a] = out[next[(canon * 256 + codes[a]) * 16 + tb]];
        for (let ci = 0; ci < nC; ci++) {
          let w = 0;
          for (let a = 0; a < nS; a++) w += vin[ci * nS + a] * outOf[a];
          W[tb * nC + ci] = w;
        }
      }
      const counts = t.counts(id);
      const tables = t.sigTables[id];
      const nt = tables.length;
      let n = 0;
      for (let j = 0; j < nt; j++) {
        const cBase = j * nC;
        const wBase = tables[j] * nC;
        for (let ci = 0; ci < nC; ci++) n += counts[cBase + ci] * W[wBase + ci];
      }
      if (check(n) > 0) emit(count, n, exps[d] + (t.twoLayers ? 2 ** t.sigParents[id].length - SCALE : 0) + outExps[d + 1]);
    }
  }
}

/** The output's scaled local counts (summed over its cuts) per state: [p ≠ 2, p = 2 (tuples as they are, XOR ban)]. */
function outputScaled(outTables: readonly number[], nk: number): Float64Array[] {
  return [0, 1].map((two) => {
    const out = new Float64Array(256);
    const tuples = new Int32Array(nk);
    for (let code = 0; code < 256; code++) {
      for (let k = 0; k < nk; k++) tuples[k] = (code >> (2 * k)) & 3;
      if (outTables.length === 0) out[code] = 1; // the output is constant on the keys: dropped, a factor 1
      for (const o of outTables) out[code] += scaledLocalCount(o, tuples, two ? 2 : 3, nk);
    }
    return out;
  });
}

function sumAggregated(model: MLP, val: Dataset, xTt: { x: ArrayLike<number>; n: number }, opts: SummedInterpretationsOptions): SummedInterpretations | null {
  const keys = groundingRows(model, val, xTt, opts.groundingMode ?? "compat") as Keys;
  const sizes = model.layerSizes;
  const twoLayers = sizes.length === 4;
  const size = sizes[sizes.length - 2];
  const nk = keys.keyRow.length;
  const { u } = distinctRows(val);
  const next = stateTransitions(nk);
  const outScaled = outputScaled(keys.outTables, nk);
  // Totals per power of two: float64 while exact, bigints beyond. Exponents start at −offset.
  const offset = SCALE * (size + 1);
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
    if (tally) groundMultisets(tally, next, outScaled, add, base);
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
      let key = 0;
      for (let i = 0; i < np; i++) key += pre[i] * pow[i];
      let counts = t.tally.get(key);
      if (!counts) t.tally.set(key, (counts = new Float64Array(size * (t.c.nOpts + 1))));
      const at0 = ks[m - 1] * (t.c.nOpts + 1) + 1;
      for (let w = 0; w < mask.length; w++) {
        let bits = mask[w];
        while (bits) {
          const low = bits & -bits;
          bits ^= low;
          const at = at0 + w * 32 + (31 - Math.clz32(low));
          if (t.sigOf[at] < 0) t.sigma(ks[m - 1], at - at0 + 1);
          counts[at]++;
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
