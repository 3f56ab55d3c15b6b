/** Number of groundings of a circuit (SPEC 5), aggregated layer by layer without materialising them (SPEC 16.7). */
import { GroundingProblem } from "./problem";
import { fillLocal } from "./local";

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

