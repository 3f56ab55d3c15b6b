/**
 * Circuits, enumeration (SPEC 4.3): every candidate circuit of an MLP in the reference's order. Node combinations
 * first (MSB-first bits per layer, last layer fastest, the full node set last), then per combination every valid edge
 * matrix (no active neuron without an incoming and an outgoing edge), rows first-to-last, last entry fastest.
 */
import { CircuitMasks } from "../model";
import { EnumerationOptions, checkSizes, defaultMinSparsity, hiddenSparsity } from "./count";

/** Node combinations in the reference's order (MSB-first bits per layer, last layer fastest, full set last). */
export function* nodeCombos(layerSizes: readonly number[], opts: EnumerationOptions): Generator<Uint8Array[]> {
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
export function edgeOptions(nOut: number, nIn: number): Int32Array[] {
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

/** Positions of the 1s of a mask. */
export function activeList(mask: Uint8Array): number[] {
  const r: number[] = [];
  mask.forEach((v, j) => v && r.push(j));
  return r;
}

/** The circuit's masks from its node masks and one edge-option row set per layer. */
export function masksFromRows(layerSizes: readonly number[], nodeMasks: Uint8Array[], rows: Int32Array[]): CircuitMasks {
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
