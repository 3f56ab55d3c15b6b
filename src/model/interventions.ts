/**
 * Interventions at named sites (pyvene style), applied by `runWithCache` (forward.ts) in the same forward pass.
 *
 * A site is a hook (hooks.ts: `hook_input`, `layers.{l}.hook_pre`, `layers.{l}.hook_post`, l = 1 … L with L the
 * output), optionally some of its units (default: all) and some rows of the batch (default: all). Kinds:
 *
 * | kind          | the site's values become                                                                     |
 * |---------------|----------------------------------------------------------------------------------------------|
 * | `set`         | `values` (one per unit, every row) or `rowValues` (rows × units, row-major)                   |
 * | `add`         | themselves plus `values` / `rowValues` (same shapes as `set`)                                 |
 * | `zero`        | 0                                                                                             |
 * | `mean`        | `means` (one per unit) or the per-unit mean of the site over a `reference` batch              |
 * | `resample`    | the site's values on rows of a `reference` batch: `sourceRows` (one per row), else drawn with `seed` |
 * | `interchange` | the site's values on the model's own run on `source` inputs: 1 source row broadcast, or one per row |
 *
 * Reference and source runs use the same model and circuit, without interventions. Interventions apply in the order
 * given; at a `hook_pre` site the activation is computed from the intervened value; a `hook_post` value is what the
 * next layer reads. Every site is checked before the pass: an unknown hook, a unit or row out of range, repeated
 * units or rows, or values of the wrong length throw an error that names the intervention, its site and the valid
 * range.
 *
 * ```ts
 * import { runWithCache, cleanInputs } from "mi-identifiability";
 * const x = cleanInputs(2); // 00, 01, 10, 11
 * // The cache: every hook (or only `names`), each n × width, row-major.
 * const { output, cache } = runWithCache(model, x, 4, { names: ["layers.1.hook_pre", "layers.1.hook_post"] });
 * // Interchange: L1.{0,2} takes its values from the run on input 10 (one source row, broadcast to every base row).
 * runWithCache(model, x, 4, { interventions: [
 *   { kind: "interchange", site: { hook: "layers.1.hook_post", units: [0, 2] }, source: { x: [1, 0], n: 1 } }] });
 * // One source per base row (pairs (source r, base r)): source.n equals the number of intervened rows.
 * runWithCache(model, x, 4, { interventions: [
 *   { kind: "interchange", site: { hook: "layers.2.hook_post", units: [1] }, source: { x: xSources, n: 4 } }] });
 * // Set / add / zero, on some rows only.
 * { kind: "set", site: { hook: "layers.1.hook_post", units: [0] }, values: [5] }
 * { kind: "set", site: { hook: "layers.1.hook_post", units: [0], rows: [1, 3] }, rowValues: [0.5, 0.7] }
 * { kind: "add", site: { hook: "layers.2.hook_pre" }, values: [0.1, 0.1, 0.1] }
 * { kind: "zero", site: { hook: "layers.1.hook_post", units: [1, 2] } }
 * // Mean ablation: given means, or means over a reference batch; resampling from a reference batch.
 * { kind: "mean", site: { hook: "layers.1.hook_post", units: [1] }, means: [0.25] }
 * { kind: "mean", site: { hook: "layers.1.hook_post", units: [1] }, reference: { x, n: 4 } }
 * { kind: "resample", site: { hook: "layers.1.hook_post" }, reference: { x, n: 4 }, sourceRows: [3, 2, 1, 0] }
 * { kind: "resample", site: { hook: "layers.1.hook_post" }, reference: { x, n: 4 }, seed: 7 }
 * ```
 * `forwardAll(model, x, n, opts)` (every layer's post-activations, or pre with `preActivations`) and `forward` (the
 * output) run the same pass; `forwardAll` also still takes the older `{ layer, neurons, values | rowValues }` patches
 * of hidden layers (`LayerPatch`), checked the same way.
 */
import { Rng } from "../rng";
import { Hook, HookPoint, neuronName, parseHook, unitSetName } from "./hooks";
import { MLP } from "./types";
import { InputError } from "../errors";

/** Where an intervention acts: a hook, some of its units (default all), some rows of the batch (default all). */
export interface Site {
  hook: string;
  units?: readonly number[];
  rows?: readonly number[];
}

/** A batch of inputs: n rows, row-major n × inputs. */
export interface Batch {
  x: ArrayLike<number>;
  n: number;
}

export interface SetIntervention {
  kind: "set";
  site: Site;
  /** One value per unit, on every intervened row. */
  values?: readonly number[];
  /** Intervened rows × units, row-major. */
  rowValues?: ArrayLike<number>;
}
export interface AddIntervention {
  kind: "add";
  site: Site;
  values?: readonly number[];
  rowValues?: ArrayLike<number>;
}
export interface ZeroIntervention {
  kind: "zero";
  site: Site;
}
export interface MeanIntervention {
  kind: "mean";
  site: Site;
  /** One mean per unit; or give `reference`. */
  means?: readonly number[];
  /** Inputs whose per-unit mean (float64, over all its rows) replaces the site's values. */
  reference?: Batch;
}
export interface ResampleIntervention {
  kind: "resample";
  site: Site;
  reference: Batch;
  /** Reference row read by each intervened row; if absent, drawn uniformly with `seed` (default 0). */
  sourceRows?: readonly number[];
  seed?: number;
}
export interface InterchangeIntervention {
  kind: "interchange";
  site: Site;
  /** Source inputs: 1 row (broadcast) or one row per intervened base row, in order. */
  source: Batch;
}

export type Intervention = SetIntervention | AddIntervention | ZeroIntervention | MeanIntervention | ResampleIntervention | InterchangeIntervention;

export const INTERVENTION_KINDS = ["set", "add", "zero", "mean", "resample", "interchange"] as const;

/**
 * The older patch of forwardAll: overwrite `neurons` of hidden layer `layer` (1 … L−1) after its activation with
 * `values` (one per neuron, every row) or `rowValues` (n × neurons). Same as a `set` at `layers.{layer}.hook_post`.
 */
export interface LayerPatch {
  layer: number;
  neurons: readonly number[];
  values?: readonly number[];
  rowValues?: ArrayLike<number>;
}

/** An intervention checked against the model and the batch, with its values: what the forward pass applies. */
export interface ResolvedIntervention {
  layer: number;
  point: HookPoint;
  units: number[];
  /** Intervened rows (ascending as given), or null for all rows. */
  rows: number[] | null;
  op: "set" | "add";
  /** units.length values (every row) when !perRow; else (intervened rows) × units.length, row-major. */
  values: ArrayLike<number>;
  perRow: boolean;
}

/** "set at layers.1.hook_post units [0,2] (L1.{0,2}) rows [1]": how errors name a site. */
export function describeSite(kind: string, site: Site): string {
  let s = `${kind} at ${site?.hook}`;
  if (site?.units) {
    const m = /^layers\.(\d+)\./.exec(String(site.hook));
    const layer = site.hook === "hook_input" ? 0 : m ? Number(m[1]) : undefined;
    s += ` units [${site.units.join(",")}]`;
    if (layer !== undefined && site.units.length) s += ` (${site.units.length === 1 ? neuronName(layer, site.units[0]) : unitSetName(layer, site.units)})`;
  }
  if (site?.rows) s += ` rows [${site.rows.join(",")}]`;
  return s;
}

function checkIndices(what: string, list: readonly number[], count: number, where: string, rangeOf: string): number[] {
  if (!Array.isArray(list) && !ArrayBuffer.isView(list)) throw new InputError(`${where}: ${what} must be an array of indices.`);
  if (list.length === 0) throw new InputError(`${where}: empty ${what}; omit ${what} to take all (${rangeOf} has ${what} 0…${count - 1}).`);
  const seen = new Set<number>();
  for (const v of list) {
    if (!Number.isInteger(v) || v < 0 || v >= count)
      throw new InputError(`${where}: ${what.replace(/s$/, "")} ${v} is out of range; ${rangeOf} has ${what} 0…${count - 1}.`);
    if (seen.has(v)) throw new InputError(`${where}: ${what.replace(/s$/, "")} ${v} is listed twice.`);
    seen.add(v);
  }
  return Array.from(list);
}

function checkBatch(model: MLP, b: Batch | undefined, name: string, where: string): Batch {
  const nIn = model.layerSizes[0];
  if (!b || typeof b !== "object") throw new InputError(`${where}: needs ${name} = { x, n } (n rows × ${nIn} inputs).`);
  if (!Number.isInteger(b.n) || b.n < 1) throw new InputError(`${where}: ${name}.n must be a positive number of rows, got ${b.n}.`);
  if (!b.x || b.x.length !== b.n * nIn) throw new InputError(`${where}: ${name}.x must hold ${b.n}×${nIn} values (rows × inputs), got ${b.x?.length}.`);
  return b;
}

/**
 * Checks interventions against the model and an n-row batch and computes their values. `siteValues(batch, hook)`
 * runs the model (same circuit, no interventions) and returns the hook's n × width activations: it is passed in by
 * forward.ts, which owns the pass.
 */
export function resolveInterventions(model: MLP, n: number, interventions: readonly Intervention[], siteValues: (batch: Batch, hook: string) => Float32Array): ResolvedIntervention[] {
  return interventions.map((iv, i) => {
    if (!iv || typeof iv !== "object" || !(INTERVENTION_KINDS as readonly string[]).includes((iv as Intervention).kind))
      throw new InputError(`intervention ${i}: kind must be one of ${INTERVENTION_KINDS.join(", ")}, got ${JSON.stringify((iv as any)?.kind)}.`);
    const where = `intervention ${i} (${describeSite(iv.kind, iv.site)})`;
    if (!iv.site || typeof iv.site !== "object") throw new InputError(`${where}: needs a site { hook, units?, rows? }.`);
    let hook: Hook;
    try {
      hook = parseHook(model, iv.site.hook);
    } catch (e) {
      throw new InputError(`${where}: ${(e as Error).message}`, { cause: e });
    }
    const units = iv.site.units === undefined ? Array.from({ length: hook.width }, (_, j) => j) : checkIndices("units", iv.site.units, hook.width, where, hook.name);
    const rows = iv.site.rows === undefined ? null : checkIndices("rows", iv.site.rows, n, where, `the batch of ${n}`);
    const k = units.length;
    const nr = rows ? rows.length : n;
    const base = { layer: hook.layer, point: hook.point, units, rows };
    const fromRows = (acts: Float32Array, srcRow: (q: number) => number): Float32Array => {
      const out = new Float32Array(nr * k);
      for (let q = 0; q < nr; q++) {
        const r = srcRow(q);
        for (let u = 0; u < k; u++) out[q * k + u] = acts[r * hook.width + units[u]];
      }
      return out;
    };
    switch (iv.kind) {
      case "set":
      case "add": {
        if ((iv.values === undefined) === (iv.rowValues === undefined))
          throw new InputError(`${where}: give either values (${k}: one per unit) or rowValues (${nr}×${k}: intervened rows × units).`);
        if (iv.values !== undefined && iv.values.length !== k)
          throw new InputError(`${where}: values must hold ${k} values (one per unit), got ${iv.values.length}; for one value per row use rowValues (${nr}×${k}).`);
        if (iv.rowValues !== undefined && iv.rowValues.length !== nr * k)
          throw new InputError(`${where}: rowValues must hold ${nr}×${k} values (intervened rows × units), got ${iv.rowValues.length}.`);
        return { ...base, op: iv.kind, values: iv.values ?? iv.rowValues!, perRow: iv.values === undefined };
      }
      case "zero":
        return { ...base, op: "set", values: new Float32Array(k), perRow: false };
      case "mean": {
        if ((iv.means === undefined) === (iv.reference === undefined)) throw new InputError(`${where}: give either means (${k}: one per unit) or a reference batch { x, n }.`);
        if (iv.means !== undefined) {
          if (iv.means.length !== k) throw new InputError(`${where}: means must hold ${k} values (one per unit), got ${iv.means.length}.`);
          return { ...base, op: "set", values: iv.means, perRow: false };
        }
        const ref = checkBatch(model, iv.reference, "reference", where);
        const acts = siteValues(ref, hook.name);
        const means = units.map((j) => {
          let s = 0;
          for (let r = 0; r < ref.n; r++) s += acts[r * hook.width + j];
          return s / ref.n;
        });
        return { ...base, op: "set", values: means, perRow: false };
      }
      case "resample": {
        const ref = checkBatch(model, iv.reference, "reference", where);
        let src: number[];
        if (iv.sourceRows !== undefined) {
          src = checkIndicesAllowRepeats(iv.sourceRows, ref.n, where);
          if (src.length !== nr) throw new InputError(`${where}: sourceRows must name one reference row per intervened row (${nr}), got ${src.length}.`);
        } else {
          const rng = new Rng(iv.seed ?? 0);
          src = Array.from({ length: nr }, () => rng.int(ref.n));
        }
        return { ...base, op: "set", values: fromRows(siteValues(ref, hook.name), (q) => src[q]), perRow: true };
      }
      case "interchange": {
        const source = checkBatch(model, iv.source, "source", where);
        if (source.n !== 1 && source.n !== nr)
          throw new InputError(`${where}: source must have 1 row (broadcast) or one per intervened row (${nr}), got ${source.n}.`);
        const acts = siteValues(source, hook.name);
        if (source.n === 1) return { ...base, op: "set", values: fromRows(acts, () => 0), perRow: false };
        return { ...base, op: "set", values: fromRows(acts, (q) => q), perRow: true };
      }
    }
  });
}

function checkIndicesAllowRepeats(list: readonly number[], count: number, where: string): number[] {
  for (const v of list)
    if (!Number.isInteger(v) || v < 0 || v >= count) throw new InputError(`${where}: source row ${v} is out of range; the reference batch has rows 0…${count - 1}.`);
  return Array.from(list);
}

/** Converts forwardAll's older hidden-layer patches into `set` interventions, rejecting what they cannot address. */
export function layerPatchToIntervention(model: MLP, p: LayerPatch, i: number): SetIntervention {
  const L = model.layerSizes.length - 1;
  const site = { hook: `layers.${p?.layer}.hook_post`, units: p?.neurons };
  if (!Number.isInteger(p?.layer) || p.layer < 1 || p.layer >= L)
    throw new InputError(`intervention ${i} (layer ${p?.layer}, neurons [${p?.neurons}]): a layer patch applies to hidden layers 1…${L - 1} (layers.{1…${L - 1}}.hook_post); for inputs or outputs use a { kind, site } intervention on hook_input or layers.${L}.hook_post.`);
  return p.rowValues !== undefined ? { kind: "set", site, rowValues: p.rowValues, ...(p.values !== undefined ? { values: p.values } : {}) } : { kind: "set", site, values: p.values };
}
