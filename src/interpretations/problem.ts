/** Where-then-what, step 2 (SPEC 5): the grounding problem of a circuit (keys, candidate cuts per retained node). */
import { CircuitMasks, MLP, forwardAll, roundHalfEven } from "../model";
import { cleanInputs } from "../tasks";

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
export function groundingKeys(xs: ArrayLike<number>, rows: number, ni: number): { keys: number[][]; rowOfKey: Int32Array } {
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

