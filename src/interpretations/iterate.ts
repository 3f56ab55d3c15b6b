/** The groundings of a circuit one by one (SPEC 5), for users who want to look at them. */
import { GroundingProblem } from "./problem";
import { gateName, inputTable, localSkeleton, sortedKeyOrder } from "./local";

/**
 * One interpretation: per retained node its threshold, global table (per key of `problem.keys`), local table (as a
 * function of its parents' bits; for a first-layer node, of the inputs in sorted key order 00, 01, 10, 11) and the
 * local table's gate name.
 */
export interface Grounding {
  nodes: { layer: number; neuron: number; threshold: number; table: number[]; localTable: number[]; gate: string }[];
}

/** The groundings one by one, in the reference's order (cuts ascending, completions in binary order). */
export function* iterateGroundings(problem: GroundingProblem): Generator<Grounding> {
  const { nodes } = problem;
  const keyOrder = sortedKeyOrder(problem.keys);
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
        const local = inputTable(cut.table, keyOrder);
        chosen[i] = { layer: node.layer, neuron: node.neuron, threshold: cut.threshold, table: [...cut.table], localTable: local, gate: gateName(local) };
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

