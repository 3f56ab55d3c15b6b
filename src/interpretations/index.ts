/**
 * Where-then-what, step 2 (SPEC 5): the interpretations ("groundings") of a circuit. Counted without materialising
 * them (partial groundings aggregated layer by layer, SPEC 16.7) and enumerated lazily for users who want to look.
 */
import { CircuitMasks, MLP, forwardAll, roundHalfEven } from "../model";
import { cleanInputs, nameTable } from "../tasks";

/**
 * "compat" (default): keys are the grounding inputs truncated toward zero, last row per key wins (the reference,
 * including its artefact on noisy grounding sets, SPEC 11). "corrected": truth tables on the clean inputs.
 */
export type GroundingMode = "compat" | "corrected";

export interface GroundingNode {
  layer: number;
  neuron: number;
  /** Candidate cuts: threshold and the node's global table (0/1 per key). */
  cuts: { threshold: number; table: Uint8Array }[];
  /** Indices (into `nodes`) of its retained parents. */
  parents: number[];
}

/** Everything the grounding of one circuit needs: the keys and every retained node's candidate tables. */
export interface GroundingProblem {
  /** The distinct keys (truncated input tuples) in first-appearance order. */
  keys: number[][];
  /** Retained nodes (≥ 1 cut), layer-major, index ascending; first-layer nodes first. */
  nodes: GroundingNode[];
  /** Active nodes dropped because they are constant on the keys. */
  dropped: { layer: number; neuron: number }[];
}

/** Distinct keys of the grounding rows (inputs truncated toward zero) in first-appearance order; last row per key. */
function groundingKeys(xs: ArrayLike<number>, rows: number, ni: number): { keys: number[][]; rowOfKey: Int32Array } {
  const keyIndex = new Map<string, number>();
  const keys: number[][] = [];
  const rowOfKey: number[] = [];
  for (let r = 0; r < rows; r++) {
    const key: number[] = new Array(ni);
    for (let j = 0; j < ni; j++) key[j] = Math.trunc(xs[r * ni + j]);
    const s = key.join(",");
    let k = keyIndex.get(s);
    if (k === undefined) {
      k = keys.length;
      keyIndex.set(s, k);
      keys.push(key);
    }
    rowOfKey[k] = r;
  }
  return { keys, rowOfKey: Int32Array.from(rowOfKey) };
}

// The keys of the last grounding set seen, with a copy of its values: a sweep grounds thousands of circuits on one set.
let lastKeys: { x: Float64Array; ni: number; keys: number[][]; rowOfKey: Int32Array } | undefined;
function cachedGroundingKeys(xs: ArrayLike<number>, rows: number, ni: number): { keys: number[][]; rowOfKey: Int32Array } {
  const c = lastKeys;
  if (c && c.ni === ni && c.x.length === rows * ni) {
    let same = true;
    for (let i = 0; i < c.x.length && same; i++) same = c.x[i] === xs[i];
    if (same) return { keys: c.keys.map((k) => k.slice()), rowOfKey: c.rowOfKey };
  }
  const fresh = groundingKeys(xs, rows, ni);
  lastKeys = { x: Float64Array.from({ length: rows * ni }, (_, i) => xs[i]), ni, keys: fresh.keys.map((k) => k.slice()), rowOfKey: fresh.rowOfKey };
  return fresh;
}

/** Builds the grounding problem of a circuit on grounding inputs `x` (n rows; compat) or the clean inputs (corrected). */
export function groundingProblem(model: MLP, circuit: CircuitMasks, x: ArrayLike<number>, n: number, mode: GroundingMode = "compat"): GroundingProblem {
  if (mode !== "compat" && mode !== "corrected") throw new Error(`groundingProblem: mode must be "compat" or "corrected", got "${mode}".`);
  const ni = model.layerSizes[0];
  const L = model.layerSizes.length - 1;
  let xs: ArrayLike<number> = x;
  let rows = n;
  if (mode === "corrected") {
    xs = cleanInputs(ni);
    rows = 1 << ni;
  }
  if (rows === 0) throw new Error("groundingProblem: the grounding set is empty.");
  const acts = forwardAll(model, xs, rows, { circuit });
  const { keys, rowOfKey } = cachedGroundingKeys(xs, rows, ni);
  const nk = keys.length;
  const nodes: GroundingNode[] = [];
  const dropped: { layer: number; neuron: number }[] = [];
  const values = new Float64Array(nk);
  let prevIndex = new Int32Array(0); // index into `nodes` of each neuron of the previous layer, −1 if not retained
  for (let l = 1; l <= L; l++) {
    const size = model.layerSizes[l];
    const a = acts[l];
    const curIndex = new Int32Array(size).fill(-1);
    for (let j = 0; j < size; j++) {
      if (!circuit.nodeMasks[l][j]) continue;
      for (let k = 0; k < nk; k++) {
        const v = a[rowOfKey[k] * size + j];
        values[k] = l === L ? roundHalfEven(v) : v;
      }
      const sorted = Float64Array.from(values).sort();
      let distinct = 0;
      for (let i = 0; i < nk; i++) if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i];
      if (distinct < 2) {
        dropped.push({ layer: l, neuron: j });
        continue;
      }
      const cuts: GroundingNode["cuts"] = [];
      for (let i = 1; i < distinct; i++) {
        const threshold = (sorted[i - 1] + sorted[i]) / 2; // float64 midpoint, as numpy 1.26 (SPEC 14.18)
        const table = new Uint8Array(nk);
        for (let k = 0; k < nk; k++) table[k] = values[k] > threshold ? 1 : 0;
        cuts.push({ threshold, table });
      }
      const parents: number[] = [];
      if (l > 1) {
        const nin = model.layerSizes[l - 1];
        const em = circuit.edgeMasks[l - 1];
        for (let p = 0; p < nin; p++) if (prevIndex[p] >= 0 && em[j * nin + p]) parents.push(prevIndex[p]);
      }
      curIndex[j] = nodes.length;
      nodes.push({ layer: l, neuron: j, cuts, parents });
    }
    prevIndex = curIndex;
  }
  return { keys, nodes, dropped };
}

/**
 * The local tables of a node's global table `t` given its parents' tables, as (fixed entries, free parent tuples):
 * null when inconsistent (two keys with the same parent tuple disagree).
 */
function localSkeleton(t: Uint8Array, parentTables: Uint8Array[]): { local: Int8Array; free: number[] } | null {
  const local = new Int8Array(1 << parentTables.length);
  if (!fillLocal(local, t, parentTables)) return null;
  const free: number[] = [];
  for (let i = 0; i < local.length; i++) if (local[i] === -1) free.push(i);
  return { local, free };
}

/** Fills `local` (−1 = free) from the keys; false when two keys with the same parent tuple disagree. */
function fillLocal(local: Int8Array, t: Uint8Array, parentTables: Uint8Array[]): boolean {
  const p = parentTables.length;
  local.fill(-1, 0, 1 << p);
  for (let k = 0; k < t.length; k++) {
    let tuple = 0;
    for (let i = 0; i < p; i++) tuple = (tuple << 1) | parentTables[i][k];
    if (local[tuple] === -1) local[tuple] = t[k];
    else if (local[tuple] !== t[k]) return false;
  }
  return true;
}

/** Largest number of cut combinations of one layer that `countGroundings` aggregates (a dense array of that size). */
export const MAX_GROUNDING_STATES = 1 << 24;

const BANNED = [Uint8Array.of(0, 1, 1, 0), Uint8Array.of(1, 0, 0, 1)]; // XOR, XNOR
const localScratch = new Int8Array(1 << 16);

/** Number of admissible local tables (completions of unseen parent tuples, minus XOR/XNOR for 2 parents beyond layer 1). */
function localCount(t: Uint8Array, parentTables: Uint8Array[], banXor: boolean): number {
  const local = localScratch;
  if (!fillLocal(local, t, parentTables)) return 0;
  const size = 1 << parentTables.length;
  let free = 0;
  for (let i = 0; i < size; i++) if (local[i] === -1) free++;
  let count = 2 ** free;
  if (banXor && size === 4)
    for (const b of BANNED) if ((local[0] === -1 || local[0] === b[0]) && (local[1] === -1 || local[1] === b[1]) && (local[2] === -1 || local[2] === b[2]) && (local[3] === -1 || local[3] === b[3])) count--;
  return count;
}

/**
 * Number of groundings (SPEC 5, multiplicities included), without materialising them: partial groundings are
 * aggregated layer by layer into "cuts chosen for the retained nodes of the last completed layer → multiplicity",
 * the cuts encoded as one mixed-radix number. Throws if the count passes 2^53 (no longer exact as a number).
 */
export function countGroundings(problem: GroundingProblem): number {
  const { nodes } = problem;
  if (nodes.length === 0) return 1; // one empty grounding
  const byLayer: number[][] = [];
  for (let i = 0; i < nodes.length; i++) {
    if (i === 0 || nodes[i].layer !== nodes[i - 1].layer) byLayer.push([]);
    byLayer[byLayer.length - 1].push(i);
  }
  // Radix weight of each node's cut in its layer's state number; states are dense arrays indexed by that number.
  const nCuts = nodes.map((n) => n.cuts.length);
  const weight = new Float64Array(nodes.length);
  const nStates = byLayer.map((layer) => {
    let w = 1;
    for (let q = layer.length - 1; q >= 0; q--) {
      weight[layer[q]] = w;
      w *= nCuts[layer[q]];
    }
    if (w > MAX_GROUNDING_STATES)
      throw new Error(
        `countGroundings: layer ${nodes[layer[0]].layer} has ${w.toLocaleString("en-US")} combinations of cuts (over ${MAX_GROUNDING_STATES.toLocaleString("en-US")}); ` +
          `this circuit's interpretations cannot be counted layer by layer. Count a sparser circuit.`,
      );
    return w;
  });
  // A node's admissible cuts (and their numbers of local tables) depend only on its parents' cuts: cached per node.
  const cache = nodes.map(() => new Map<number, { cut: Int32Array; count: Float64Array; sum: number }>());
  const parentTables: Uint8Array[] = [];
  const choicesOf = (ni: number, state: number) => {
    const node = nodes[ni];
    const ps = node.parents;
    let key = 0;
    for (let q = 0; q < ps.length; q++) key = key * nCuts[ps[q]] + (Math.floor(state / weight[ps[q]]) % nCuts[ps[q]]);
    let hit = cache[ni].get(key);
    if (!hit) {
      parentTables.length = ps.length;
      for (let q = 0; q < ps.length; q++) parentTables[q] = nodes[ps[q]].cuts[Math.floor(state / weight[ps[q]]) % nCuts[ps[q]]].table;
      const cut: number[] = [];
      const count: number[] = [];
      let sum = 0;
      for (let c = 0; c < node.cuts.length; c++) {
        const k = node.layer === 1 ? 1 : localCount(node.cuts[c].table, parentTables, true);
        if (k > 0) {
          cut.push(c);
          count.push(k);
          sum += k;
        }
      }
      hit = { cut: Int32Array.from(cut), count: Float64Array.from(count), sum };
      cache[ni].set(key, hit);
    }
    return hit;
  };
  let states = Float64Array.of(1);
  let total = 0;
  for (let li = 0; li < byLayer.length; li++) {
    const cur = byLayer[li];
    const next = li === byLayer.length - 1 ? null : new Float64Array(nStates[li]);
    const choices: ReturnType<typeof choicesOf>[] = new Array(cur.length);
    const idx = new Int32Array(cur.length);
    for (let state = 0; state < states.length; state++) {
      const mult = states[state];
      if (mult === 0) continue;
      let empty = false;
      for (let q = 0; q < cur.length && !empty; q++) empty = (choices[q] = choicesOf(cur[q], state)).sum === 0;
      if (empty) continue;
      if (!next) {
        // Last layer: nothing depends on its cuts, so its nodes contribute independently.
        let m = mult;
        for (let q = 0; q < cur.length; q++) m *= choices[q].sum;
        total += m;
        continue;
      }
      idx.fill(0);
      for (;;) {
        let m = mult;
        let key = 0;
        for (let q = 0; q < cur.length; q++) {
          m *= choices[q].count[idx[q]];
          key += choices[q].cut[idx[q]] * weight[cur[q]];
        }
        next[key] += m;
        let q = cur.length - 1;
        while (q >= 0 && ++idx[q] === choices[q].cut.length) idx[q--] = 0;
        if (q < 0) break;
      }
    }
    if (next) states = next;
  }
  if (!Number.isSafeInteger(total)) throw new Error(`countGroundings: the count (${total}) exceeds 2^53 and is not exact as a number.`);
  return total;
}

/** One interpretation: per retained node its threshold, global table (per key) and local gate name. */
export interface Grounding {
  nodes: { layer: number; neuron: number; threshold: number; table: number[]; localTable: number[]; gate: string }[];
}

/** The groundings one by one, in the reference's order (cuts ascending, completions in binary order). */
export function* iterateGroundings(problem: GroundingProblem): Generator<Grounding> {
  const { nodes } = problem;
  const chosen: Grounding["nodes"] = [];
  const cutOf: number[] = [];
  function* rec(i: number): Generator<Grounding> {
    if (i === nodes.length) {
      yield { nodes: chosen.map((c) => ({ ...c, table: [...c.table], localTable: [...c.localTable] })) };
      return;
    }
    const node = nodes[i];
    for (let c = 0; c < node.cuts.length; c++) {
      const cut = node.cuts[c];
      cutOf[i] = c;
      if (node.layer === 1) {
        chosen[i] = { layer: node.layer, neuron: node.neuron, threshold: cut.threshold, table: [...cut.table], localTable: [...cut.table], gate: gateName(cut.table) };
        yield* rec(i + 1);
        continue;
      }
      const parentTables = node.parents.map((p) => nodes[p].cuts[cutOf[p]].table);
      const s = localSkeleton(cut.table, parentTables);
      if (!s) continue;
      for (let f = 0; f < 2 ** s.free.length; f++) {
        const local = Array.from(s.local);
        s.free.forEach((t, q) => (local[t] = (f >> (s.free.length - 1 - q)) & 1));
        const gate = gateName(local);
        if (parentTables.length === 2 && (gate === "XOR" || gate === "XNOR")) continue;
        chosen[i] = { layer: node.layer, neuron: node.neuron, threshold: cut.threshold, table: [...cut.table], localTable: local, gate };
        yield* rec(i + 1);
      }
    }
    chosen.length = i;
  }
  yield* rec(0);
}

function gateName(table: ArrayLike<number>): string {
  const n = table.length;
  return n === 1 || n === 2 || n === 4 || (n & (n - 1)) === 0 ? nameTable(table) : Array.from(table).join("");
}
