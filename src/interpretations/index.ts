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
  // Key of each row, last row wins.
  const keyIndex = new Map<string, number>();
  const keys: number[][] = [];
  const rowOfKey: number[] = [];
  for (let r = 0; r < rows; r++) {
    const key = Array.from({ length: ni }, (_, j) => Math.trunc(xs[r * ni + j]));
    const s = key.join(",");
    let k = keyIndex.get(s);
    if (k === undefined) {
      k = keys.length;
      keyIndex.set(s, k);
      keys.push(key);
    }
    rowOfKey[k] = r;
  }
  const nodes: GroundingNode[] = [];
  const dropped: { layer: number; neuron: number }[] = [];
  const indexOf = new Map<string, number>();
  for (let l = 1; l <= L; l++) {
    const size = model.layerSizes[l];
    for (let j = 0; j < size; j++) {
      if (!circuit.nodeMasks[l][j]) continue;
      const values = rowOfKey.map((r) => {
        const v = acts[l][r * size + j];
        return l === L ? roundHalfEven(v) : v;
      });
      const sorted = [...new Set(values)].sort((a, b) => a - b);
      if (sorted.length < 2) {
        dropped.push({ layer: l, neuron: j });
        continue;
      }
      const cuts = sorted.slice(1).map((hi, i) => {
        const threshold = (sorted[i] + hi) / 2; // float64 midpoint, as numpy 1.26 (SPEC 14.18)
        return { threshold, table: Uint8Array.from(values, (v) => (v > threshold ? 1 : 0)) };
      });
      const parents: number[] = [];
      if (l > 1) {
        const nin = model.layerSizes[l - 1];
        for (let p = 0; p < nin; p++) {
          const idx = indexOf.get(`${l - 1},${p}`);
          if (idx !== undefined && circuit.edgeMasks[l - 1][j * nin + p]) parents.push(idx);
        }
      }
      indexOf.set(`${l},${j}`, nodes.length);
      nodes.push({ layer: l, neuron: j, cuts, parents });
    }
  }
  return { keys, nodes, dropped };
}

/**
 * The local tables of a node's global table `t` given its parents' tables, as (fixed entries, free parent tuples):
 * null when inconsistent (two keys with the same parent tuple disagree).
 */
function localSkeleton(t: Uint8Array, parentTables: Uint8Array[]): { local: Int8Array; free: number[] } | null {
  const p = parentTables.length;
  const local = new Int8Array(1 << p).fill(-1);
  for (let k = 0; k < t.length; k++) {
    let tuple = 0;
    for (let i = 0; i < p; i++) tuple = (tuple << 1) | parentTables[i][k];
    if (local[tuple] === -1) local[tuple] = t[k];
    else if (local[tuple] !== t[k]) return null;
  }
  const free: number[] = [];
  local.forEach((v, i) => v === -1 && free.push(i));
  return { local, free };
}

const BANNED = [Uint8Array.of(0, 1, 1, 0), Uint8Array.of(1, 0, 0, 1)]; // XOR, XNOR

/** Number of admissible local tables (completions of unseen parent tuples, minus XOR/XNOR for 2 parents beyond layer 1). */
function localCount(t: Uint8Array, parentTables: Uint8Array[], banXor: boolean): number {
  const s = localSkeleton(t, parentTables);
  if (!s) return 0;
  let count = 2 ** s.free.length;
  if (banXor && parentTables.length === 2)
    for (const b of BANNED) if (s.local.every((v, i) => v === -1 || v === b[i])) count--;
  return count;
}

/**
 * Number of groundings (SPEC 5, multiplicities included), without materialising them: partial groundings are
 * aggregated into a map "cut chosen for each retained node of the last completed layer → multiplicity".
 * Throws if the count passes 2^53 (no longer exact as a number).
 */
export function countGroundings(problem: GroundingProblem): number {
  const { nodes } = problem;
  if (nodes.length === 0) return 1; // one empty grounding
  const layers = [...new Set(nodes.map((n) => n.layer))];
  const byLayer = layers.map((layer) => nodes.map((n, i) => (n.layer === layer ? i : -1)).filter((i) => i >= 0));
  // A node's admissible cuts depend only on its parents' cuts: cache them per (node, parents' cuts).
  const cache = nodes.map(() => new Map<number, [number, number][]>());
  const choicesOf = (ni: number, cutOf: (p: number) => number): [number, number][] => {
    const node = nodes[ni];
    if (node.layer === 1) return node.cuts.map((_, c) => [c, 1]);
    let key = 0;
    for (const p of node.parents) key = key * nodes[p].cuts.length + cutOf(p);
    let hit = cache[ni].get(key);
    if (!hit) {
      const parentTables = node.parents.map((p) => nodes[p].cuts[cutOf(p)].table);
      hit = node.cuts.map((cut, c): [number, number] => [c, localCount(cut.table, parentTables, true)]).filter(([, k]) => k > 0);
      cache[ni].set(key, hit);
    }
    return hit;
  };
  // State: the cut of each node of the last completed layer → multiplicity of the partial groundings that chose it.
  let prevNodes: number[] = [];
  let states = new Map<string, { cuts: number[]; mult: number }>([["", { cuts: [], mult: 1 }]]);
  let total = 0;
  byLayer.forEach((cur, li) => {
    const last = li === byLayer.length - 1;
    const next = new Map<string, { cuts: number[]; mult: number }>();
    for (const { cuts: prevCuts, mult } of states.values()) {
      const cutOf = (p: number) => prevCuts[prevNodes.indexOf(p)];
      const choices = cur.map((ni) => choicesOf(ni, cutOf));
      if (choices.some((c) => c.length === 0)) continue;
      if (last) {
        // Nothing depends on the last layer's cuts: its nodes contribute independently.
        let m = mult;
        for (const c of choices) m *= c.reduce((s, [, k]) => s + k, 0);
        total += m;
        continue;
      }
      const idx = new Array(cur.length).fill(0);
      for (;;) {
        let m = mult;
        const chosen = idx.map((k, i) => {
          m *= choices[i][k][1];
          return choices[i][k][0];
        });
        const key = chosen.join(",");
        const e = next.get(key);
        if (e) e.mult += m;
        else next.set(key, { cuts: chosen, mult: m });
        let i = cur.length - 1;
        while (i >= 0 && ++idx[i] === choices[i].length) idx[i--] = 0;
        if (i < 0) break;
      }
    }
    states = next;
    prevNodes = cur;
  });
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
