/**
 * Circuits, comparison: sparsity of one circuit, inclusion and Jaccard overlap between circuits, and which perfect
 * circuits `--max-circuits` keeps (SPEC 4.4).
 */
import { CircuitMasks } from "../model";
import { hiddenSparsity } from "./count";
import { PerfectCircuit } from "./search";

/** Hidden-node, edge and combined sparsity of a circuit (fractions of zeros, SPEC 4.4). */
export function circuitSparsity(c: CircuitMasks): { node: number; edge: number; combined: number } {
  const hidden = c.nodeMasks.slice(1, -1);
  const nh = hidden.reduce((s, m) => s + m.length, 0);
  const zh = hidden.reduce((s, m) => s + m.filter((v) => !v).length, 0);
  const ne = c.edgeMasks.reduce((s, m) => s + m.length, 0);
  const ze = c.edgeMasks.reduce((s, m) => s + m.filter((v) => !v).length, 0);
  return { node: hiddenSparsity(zh, nh), edge: ne ? ze / ne : 0, combined: nh + ne ? (zh + ze) / (nh + ne) : 0 };
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
export function sparsestCircuits<C extends PerfectCircuit>(circuits: readonly C[], m: number): C[] {
  if (!Number.isInteger(m) || m < 0) throw new Error(`sparsestCircuits: m (max circuits) must be an integer ≥ 0, got ${m}.`);
  if (circuits.length <= m) return circuits.slice();
  const byPosition = circuits.map((_, i) => i);
  byPosition.sort((a, b) => circuits[b].nodeSparsity - circuits[a].nodeSparsity || a - b);
  return byPosition.slice(0, m).sort((a, b) => a - b).map((i) => circuits[i]);
}
