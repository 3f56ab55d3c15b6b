/**
 * Interventions on the transformer's hook points: the MLPs' vocabulary (`set`, `add`, `zero`, `mean`, `resample`,
 * `interchange`, see src/model/interventions.ts) at a transformer site, which selects along the hook's axes:
 * `heads` (attention hooks), `positions` (query positions for `hook_pattern`), `units` (the last axis: d_head, d_model,
 * MLP neurons, or key positions for `hook_pattern`) and `rows` of the batch. Omitted selections take everything.
 *
 * Values of `set`/`add` (`values`: one per selected element, every row; `rowValues`: rows × elements) and `means`
 * list the selected elements in the hook's axis order, row-major: for `attn.hook_z` with positions [1, 2] and heads
 * [0, 3], the order is (1,0,·), (1,3,·), (2,0,·), (2,3,·), each over the selected units.
 *
 * ```ts
 * // Head 2 of block 0 takes its z from the run on another sequence (one source row, broadcast).
 * { kind: "interchange", site: { hook: "blocks.0.attn.hook_z", heads: [2] }, source: [[6, 1, 2, 3, 4, 5]] }
 * // MLP neurons 3 and 7 of block 1 zeroed at position 4 only.
 * { kind: "zero", site: { hook: "blocks.1.mlp.hook_post", units: [3, 7], positions: [4] } }
 * // Resample ablation of head 1 from a reference batch, each row reading a random reference row.
 * { kind: "resample", site: { hook: "blocks.1.attn.hook_z", heads: [1] }, reference: tokens, seed: 3 }
 * ```
 */
import { Rng } from "../rng";
import { InputError } from "../errors";
import { INTERVENTION_KINDS } from "../model/interventions";
import { TransformerConfig } from "./types";
import { TransformerHook, parseTransformerHook } from "./hooks";

export interface TransformerSite {
  hook: string;
  heads?: readonly number[];
  positions?: readonly number[];
  units?: readonly number[];
  rows?: readonly number[];
}

/** A batch of token sequences (rows × positions). */
export type Tokens = readonly (readonly number[])[];

export type TransformerIntervention =
  | { kind: "set" | "add"; site: TransformerSite; values?: readonly number[]; rowValues?: ArrayLike<number> }
  | { kind: "zero"; site: TransformerSite }
  | { kind: "mean"; site: TransformerSite; means?: readonly number[]; reference?: Tokens }
  | { kind: "resample"; site: TransformerSite; reference: Tokens; sourceRows?: readonly number[]; seed?: number }
  | { kind: "interchange"; site: TransformerSite; source: Tokens };

/** What the forward pass applies at one hook. */
export interface ResolvedTransformerIntervention {
  hook: string;
  /** Offsets of the selected elements within one row of the hook (row-major over its per-row shape). */
  offsets: Int32Array;
  rows: number[] | null;
  op: "set" | "add";
  /** offsets.length values (every row) or (rows) × offsets.length when perRow. */
  values: ArrayLike<number>;
  perRow: boolean;
}

export function describeTransformerSite(kind: string, site: TransformerSite): string {
  let s = `${kind} at ${site?.hook}`;
  if (site?.heads) s += ` heads [${site.heads.join(",")}]`;
  if (site?.positions) s += ` positions [${site.positions.join(",")}]`;
  if (site?.units) s += ` units [${site.units.join(",")}]`;
  if (site?.rows) s += ` rows [${site.rows.join(",")}]`;
  return s;
}

function checkList(what: string, list: readonly number[], count: number, where: string, rangeOf: string): number[] {
  if (!Array.isArray(list) && !ArrayBuffer.isView(list)) throw new InputError(`${where}: ${what} must be an array of indices.`);
  if (list.length === 0) throw new InputError(`${where}: empty ${what}; omit ${what} to take all (${rangeOf} has ${what} 0…${count - 1}).`);
  const seen = new Set<number>();
  for (const v of list) {
    if (!Number.isInteger(v) || v < 0 || v >= count) throw new InputError(`${where}: ${what.replace(/s$/, "")} ${v} is out of range; ${rangeOf} has ${what} 0…${count - 1}.`);
    if (seen.has(v)) throw new InputError(`${where}: ${what.replace(/s$/, "")} ${v} is listed twice.`);
    seen.add(v);
  }
  return Array.from(list);
}

/** Checks a batch of tokens: rows of one length 1…nCtx, integer tokens 0…dVocab−1. */
export function checkTokens(config: TransformerConfig, tokens: Tokens, name = "tokens"): number {
  if (!Array.isArray(tokens) || tokens.length === 0) throw new InputError(`${name} must be a non-empty array of token sequences (rows × positions).`);
  const T = Array.isArray(tokens[0]) ? tokens[0].length : -1;
  if (T < 1 || T > config.nCtx) throw new InputError(`${name}: each row must hold 1…${config.nCtx} tokens (nCtx), got ${T < 0 ? "a non-array" : T}.`);
  tokens.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== T) throw new InputError(`${name}: row ${r} has ${Array.isArray(row) ? row.length : "no"} tokens; every row must have ${T} (like row 0).`);
    row.forEach((t, p) => {
      if (!Number.isInteger(t) || t < 0 || t >= config.dVocab) throw new InputError(`${name}: token ${t} at row ${r}, position ${p} is out of range; the vocabulary is 0…${config.dVocab - 1}.`);
    });
  });
  return T;
}

/** Per-row offsets of the elements a site selects, in the hook's axis order. */
function siteOffsets(hook: TransformerHook, site: TransformerSite, where: string): Int32Array {
  const pick: number[][] = hook.axes.map((axis, d) => {
    const n = hook.shape[d];
    const given = axis === "head" ? site.heads : axis === "position" ? site.positions : site.units;
    const what = axis === "head" ? "heads" : axis === "position" ? "positions" : "units";
    return given === undefined ? Array.from({ length: n }, (_, i) => i) : checkList(what, given, n, where, hook.name);
  });
  if (site.heads !== undefined && !hook.axes.includes("head"))
    throw new InputError(`${where}: ${hook.name} has no heads; heads apply to blocks.{l}.attn.hook_q/k/v/z/pattern.`);
  const strides = hook.shape.map((_, d) => hook.shape.slice(d + 1).reduce((a, b) => a * b, 1));
  let offs = [0];
  pick.forEach((list, d) => {
    const next: number[] = [];
    for (const o of offs) for (const i of list) next.push(o + i * strides[d]);
    offs = next;
  });
  return Int32Array.from(offs);
}

/**
 * Checks interventions against the model and a batch of n rows of T tokens and computes their values.
 * `hookValues(tokens, hook)` runs the model without interventions and returns the hook's rows × per-row values.
 */
export function resolveTransformerInterventions(
  config: TransformerConfig,
  n: number,
  T: number,
  interventions: readonly TransformerIntervention[],
  hookValues: (tokens: Tokens, hook: string) => Float64Array,
): ResolvedTransformerIntervention[] {
  if (!Array.isArray(interventions)) throw new InputError("interventions must be an array of { kind, site, ... }.");
  return interventions.map((iv, i): ResolvedTransformerIntervention => {
    if (!iv || typeof iv !== "object" || !(INTERVENTION_KINDS as readonly string[]).includes(iv.kind))
      throw new InputError(`intervention ${i}: kind must be one of ${INTERVENTION_KINDS.join(", ")}, got ${JSON.stringify((iv as any)?.kind)}.`);
    const where = `intervention ${i} (${describeTransformerSite(iv.kind, iv.site)})`;
    if (!iv.site || typeof iv.site !== "object") throw new InputError(`${where}: needs a site { hook, heads?, positions?, units?, rows? }.`);
    let hook: TransformerHook;
    try {
      hook = parseTransformerHook(config, iv.site.hook, T);
    } catch (e) {
      throw new InputError(`${where}: ${(e as Error).message}`, { cause: e });
    }
    const offsets = siteOffsets(hook, iv.site, where);
    const rows = iv.site.rows === undefined ? null : checkList("rows", iv.site.rows, n, where, `the batch of ${n}`);
    const k = offsets.length;
    const nr = rows ? rows.length : n;
    const width = hook.shape.reduce((a, b) => a * b, 1);
    const base = { hook: hook.name, offsets, rows };
    const fromRows = (acts: Float64Array, srcRow: (q: number) => number): Float64Array => {
      const out = new Float64Array(nr * k);
      for (let q = 0; q < nr; q++) {
        const r = srcRow(q);
        for (let u = 0; u < k; u++) out[q * k + u] = acts[r * width + offsets[u]];
      }
      return out;
    };
    const batch = (tok: Tokens | undefined, name: string): Tokens => {
      try {
        const t = checkTokens(config, tok as Tokens, `${where}: ${name}`);
        if (t !== T) throw new InputError(`${where}: ${name} rows hold ${t} tokens; the base batch has ${T}.`);
      } catch (e) {
        if (e instanceof InputError && !e.message.startsWith(where)) throw new InputError(`${where}: ${e.message}`, { cause: e });
        throw e;
      }
      return tok as Tokens;
    };
    switch (iv.kind) {
      case "set":
      case "add": {
        if ((iv.values === undefined) === (iv.rowValues === undefined))
          throw new InputError(`${where}: give either values (${k}: one per selected element) or rowValues (${nr}×${k}: intervened rows × elements).`);
        if (iv.values !== undefined && iv.values.length !== k) throw new InputError(`${where}: values must hold ${k} values (one per selected element), got ${iv.values.length}.`);
        if (iv.rowValues !== undefined && iv.rowValues.length !== nr * k) throw new InputError(`${where}: rowValues must hold ${nr}×${k} values (intervened rows × elements), got ${iv.rowValues.length}.`);
        return { ...base, op: iv.kind, values: iv.values ?? iv.rowValues!, perRow: iv.values === undefined };
      }
      case "zero":
        return { ...base, op: "set", values: new Float64Array(k), perRow: false };
      case "mean": {
        if ((iv.means === undefined) === (iv.reference === undefined)) throw new InputError(`${where}: give either means (${k}: one per selected element) or reference tokens.`);
        if (iv.means !== undefined) {
          if (iv.means.length !== k) throw new InputError(`${where}: means must hold ${k} values (one per selected element), got ${iv.means.length}.`);
          return { ...base, op: "set", values: iv.means, perRow: false };
        }
        const ref = batch(iv.reference, "reference");
        const acts = hookValues(ref, hook.name);
        const means = new Float64Array(k);
        for (let r = 0; r < ref.length; r++) for (let u = 0; u < k; u++) means[u] += acts[r * width + offsets[u]];
        for (let u = 0; u < k; u++) means[u] /= ref.length;
        return { ...base, op: "set", values: means, perRow: false };
      }
      case "resample": {
        const ref = batch(iv.reference, "reference");
        let src: number[];
        if (iv.sourceRows !== undefined) {
          if (!Array.isArray(iv.sourceRows) || iv.sourceRows.length !== nr) throw new InputError(`${where}: sourceRows must name one reference row per intervened row (${nr}).`);
          for (const v of iv.sourceRows) if (!Number.isInteger(v) || v < 0 || v >= ref.length) throw new InputError(`${where}: source row ${v} is out of range; the reference batch has rows 0…${ref.length - 1}.`);
          src = Array.from(iv.sourceRows);
        } else {
          const rng = new Rng(iv.seed ?? 0);
          src = Array.from({ length: nr }, () => rng.int(ref.length));
        }
        return { ...base, op: "set", values: fromRows(hookValues(ref, hook.name), (q) => src[q]), perRow: true };
      }
      case "interchange": {
        const source = batch(iv.source, "source");
        if (source.length !== 1 && source.length !== nr) throw new InputError(`${where}: source must have 1 row (broadcast) or one per intervened row (${nr}), got ${source.length}.`);
        const acts = hookValues(source, hook.name);
        if (source.length === 1) return { ...base, op: "set", values: fromRows(acts, () => 0), perRow: false };
        return { ...base, op: "set", values: fromRows(acts, (q) => q), perRow: true };
      }
      default:
        throw new InputError(`${where}: unknown kind.`);
    }
  });
}

/** Applies resolved interventions to a hook's batch of values (rows × width) in place. */
export function applyResolved(acts: Float64Array, width: number, n: number, ivs: readonly ResolvedTransformerIntervention[]): void {
  for (const iv of ivs) {
    const k = iv.offsets.length;
    const rows = iv.rows ?? Array.from({ length: n }, (_, r) => r);
    rows.forEach((r, q) => {
      const at = iv.perRow ? q * k : 0;
      for (let u = 0; u < k; u++) {
        const j = r * width + iv.offsets[u];
        acts[j] = iv.op === "set" ? iv.values[at + u] : acts[j] + iv.values[at + u];
      }
    });
  }
}
