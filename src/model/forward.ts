/**
 * The forward pass, once: act(W x + b) with LeakyReLU(0.01) after EVERY layer, the output included (SPEC 3.1), in
 * float32, with optional circuit masks (zero ablation), interventions at hook sites and a cache of hook values.
 * `runWithCache` is the entry point; `forwardAll` / `forward` are views of the same pass.
 */
import { Dataset } from "../tasks";
import { hookNames, parseHook } from "./hooks";
import { Batch, Intervention, LayerPatch, ResolvedIntervention, layerPatchToIntervention, resolveInterventions } from "./interventions";
import { CircuitMasks, LEAKY_SLOPE, MLP } from "./types";
import { InputError } from "../errors";

export interface RunOptions {
  circuit?: CircuitMasks;
  interventions?: readonly Intervention[];
  /** Hooks to cache (default: every hook of the model). */
  names?: readonly string[];
}

export interface RunResult {
  /** n × outputs (= cache["layers.L.hook_post"]). */
  output: Float32Array;
  /** Hook name → n × width values, row-major. A post value is what the next layer read (0 where a circuit masks it). */
  cache: Record<string, Float32Array>;
}

/**
 * Runs the network on n rows (row-major n × inputs) and returns the output and the cached hook values. Float32
 * arithmetic in index order: Σ_j W[o][j]·x[j] (j ascending), then + bias, then LeakyReLU(0.01). With a circuit, a
 * layer's input vector is multiplied by its node mask and the weights by the edge mask (zero ablation), as in the
 * reference. Interventions (interventions.ts) are checked first, then applied at their hooks during the pass.
 */
export function runWithCache(m: MLP, x: ArrayLike<number>, n: number, opts: RunOptions = {}): RunResult {
  const names = opts.names ?? hookNames(m);
  for (const name of names) parseHook(m, name);
  checkInputs(m, x, n);
  const { pres, acts } = pass(m, x, n, opts.circuit, resolve(m, n, opts.circuit, opts.interventions ?? []));
  const cache: Record<string, Float32Array> = {};
  for (const name of names) {
    const h = parseHook(m, name);
    cache[name] = h.point === "pre" ? pres[h.layer] : acts[h.layer];
  }
  return { output: acts[acts.length - 1], cache };
}

export interface ForwardOptions {
  circuit?: CircuitMasks;
  /** Site interventions, or the older hidden-layer patches (LayerPatch: a `set` at layers.{layer}.hook_post). */
  interventions?: readonly (Intervention | LayerPatch)[];
  /** Return each layer's values before the activation (W·h + b; a post-activation intervention leaves them). */
  preActivations?: boolean;
}

/**
 * Every layer's activations (index 0 = the inputs, L = the output), each row-major n × size; with
 * `preActivations`, the pre-activations instead (index 0 = the inputs). The same pass as runWithCache.
 */
export function forwardAll(m: MLP, x: ArrayLike<number>, n: number, opts: ForwardOptions = {}): Float32Array[] {
  checkInputs(m, x, n);
  const ivs = (opts.interventions ?? []).map((iv, i) => ("kind" in iv ? iv : layerPatchToIntervention(m, iv, i)));
  const { pres, acts } = pass(m, x, n, opts.circuit, resolve(m, n, opts.circuit, ivs));
  return opts.preActivations ? pres : acts;
}

/** The output layer only (n × outputs). */
export function forward(m: MLP, x: ArrayLike<number>, n: number, opts: ForwardOptions = {}): Float32Array {
  const acts = forwardAll(m, x, n, opts);
  return acts[acts.length - 1];
}

function resolve(m: MLP, n: number, circuit: CircuitMasks | undefined, ivs: readonly Intervention[]): ResolvedIntervention[] {
  if (ivs.length === 0) return [];
  // Source and reference runs: same model and circuit, no interventions.
  return resolveInterventions(m, n, ivs, (b: Batch, hook: string) => {
    const h = parseHook(m, hook);
    const r = pass(m, b.x, b.n, circuit, []);
    return h.point === "pre" ? r.pres[h.layer] : r.acts[h.layer];
  });
}

function checkInputs(m: MLP, x: { length: number }, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new InputError(`forward: n must be a number of rows, got ${n}.`);
  if (x.length !== n * m.layerSizes[0]) throw new InputError(`forward: expected ${n}×${m.layerSizes[0]} inputs, got ${x.length} values.`);
}

function apply(buf: Float32Array, width: number, n: number, iv: ResolvedIntervention): void {
  const k = iv.units.length;
  const nr = iv.rows ? iv.rows.length : n;
  for (let q = 0; q < nr; q++) {
    const r = iv.rows ? iv.rows[q] : q;
    const off = iv.perRow ? q * k : 0;
    for (let u = 0; u < k; u++) {
      const at = r * width + iv.units[u];
      buf[at] = iv.op === "set" ? iv.values[off + u] : Math.fround(buf[at] + iv.values[off + u]);
    }
  }
}

/** The one forward loop. pres[0] = acts[0] = the (intervened, masked) inputs. */
function pass(m: MLP, x: ArrayLike<number>, n: number, circuit: CircuitMasks | undefined, ivs: readonly ResolvedIntervention[]): { pres: Float32Array[]; acts: Float32Array[] } {
  checkInputs(m, x, n);
  const sizes = m.layerSizes;
  const L = sizes.length - 1;
  const acts: Float32Array[] = [Float32Array.from(x as ArrayLike<number>)];
  for (const iv of ivs) if (iv.layer === 0) apply(acts[0], sizes[0], n, iv);
  const pres: Float32Array[] = [acts[0]];
  for (let i = 0; i < L; i++) {
    const nin = sizes[i];
    const nout = sizes[i + 1];
    const input = acts[i];
    if (circuit) {
      const nm = circuit.nodeMasks[i];
      for (let r = 0; r < n; r++) for (let j = 0; j < nin; j++) if (!nm[j]) input[r * nin + j] = 0;
    }
    const W = m.weights[i];
    const b = m.biases[i];
    const em = circuit ? circuit.edgeMasks[i] : undefined;
    const pre = new Float32Array(n * nout);
    for (let r = 0; r < n; r++) {
      const base = r * nin;
      for (let o = 0; o < nout; o++) {
        let acc = 0;
        const wo = o * nin;
        for (let j = 0; j < nin; j++) {
          if (em && !em[wo + j]) continue;
          acc = Math.fround(acc + Math.fround(W[wo + j] * input[base + j]));
        }
        pre[r * nout + o] = Math.fround(acc + b[o]);
      }
    }
    for (const iv of ivs) if (iv.layer === i + 1 && iv.point === "pre") apply(pre, nout, n, iv);
    const out = new Float32Array(n * nout);
    for (let t = 0; t < out.length; t++) {
      const v = pre[t];
      out[t] = v >= 0 ? v : Math.fround(v * LEAKY_SLOPE);
    }
    for (const iv of ivs) if (iv.layer === i + 1 && iv.point === "post") apply(out, nout, n, iv);
    pres.push(pre);
    acts.push(out);
  }
  return { pres, acts };
}
/** Outputs on nested-array inputs, as nested arrays (a convenience for notebooks and the CLI). */
export function predict(m: MLP, rows: number[][]): number[][] {
  const nIn = m.layerSizes[0];
  const out = forward(m, Float32Array.from(rows.flat()), rows.length);
  const nOut = m.layerSizes[m.layerSizes.length - 1];
  return rows.map((_, r) => Array.from(out.subarray(r * nOut, (r + 1) * nOut))).map((row, r) => {
    if (rows[r].length !== nIn) throw new InputError(`predict: row ${r} has ${rows[r].length} inputs; the model takes ${nIn}.`);
    return row;
  });
}

/** Round half to even (torch.round), used for every accuracy. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Fraction of rows whose rounded outputs equal the labels on every output (the reference's `do_eval`). */
export function accuracy(m: MLP, data: Dataset): number {
  const out = forward(m, data.x, data.n);
  const k = data.nOutputs;
  let ok = 0;
  for (let r = 0; r < data.n; r++) {
    let all = true;
    for (let o = 0; o < k; o++) if (roundHalfEven(out[r * k + o]) !== data.y[r * k + o]) all = false;
    if (all) ok++;
  }
  return ok / data.n;
}

