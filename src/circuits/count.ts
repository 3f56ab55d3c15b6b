/**
 * Circuits, counting (SPEC 4.3): the closed-form number of candidate circuits of an MLP, main.py's sparsity filter,
 * and the budget check that refuses an enumeration too large to run (with a typed error carrying its numbers).
 */
import { BudgetError } from "../errors";

export interface EnumerationOptions {
  /** Skip node combinations whose hidden node sparsity (zeros / hidden count) is `<=` this. Default: main.py's rule. */
  minSparsity?: number;
  /** Also enumerate the full node set (the reference never does, SPEC 14.2). Default false. */
  includeFullNodeSet?: boolean;
}

/** main.py's override (SPEC 4.3/14.4): 0.3 if the hidden width k > 4, 0.2 if k > 3, else 0. */
export function defaultMinSparsity(layerSizes: readonly number[]): number {
  const k = Math.max(0, ...layerSizes.slice(1, -1));
  return k > 4 ? 0.3 : k > 3 ? 0.2 : 0;
}

function binom(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/** Number of m×n 0/1 matrices without zero rows or columns (inclusion–exclusion); 0×0 counts as one ("no edges"). */
export function countEdgeMatrices(m: number, n: number): bigint {
  if (m === 0 || n === 0) return m === 0 && n === 0 ? 1n : 0n;
  let s = 0n;
  for (let j = 0; j <= n; j++) {
    const term = binom(n, j) * ((1n << BigInt(n - j)) - 1n) ** BigInt(m);
    s += j % 2 ? -term : term;
  }
  return s;
}

/** Hidden node sparsity as the reference computes it: (#zeros)/(#hidden) (SPEC 14.4: not 1 − active/total). */
export function hiddenSparsity(zeros: number, hidden: number): number {
  return hidden === 0 ? 0 : zeros / hidden;
}

/** Throws unless the layer sizes can be enumerated: at least 2 positive integers, none wider than 16. */
export function checkSizes(layerSizes: readonly number[]): void {
  if (!Array.isArray(layerSizes) || layerSizes.length < 2 || layerSizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`circuits: layerSizes must be ≥ 2 positive integers, got ${JSON.stringify(layerSizes)}.`);
  if (layerSizes.some((s) => s > 16)) throw new Error(`circuits: layers wider than 16 neurons cannot be enumerated (got [${layerSizes.join(", ")}]).`);
}

/**
 * Number of candidate circuits without enumerating them (SPEC 4.3): Σ over active counts of
 * Π C(k_l, a_l) · Π N(a_{l+1}, a_l), minus the full node set (unless included), with the sparsity filter.
 */
export function countCandidates(layerSizes: readonly number[], opts: EnumerationOptions = {}): number {
  return Number(countCandidatesExact(layerSizes, opts));
}

export function countCandidatesExact(layerSizes: readonly number[], opts: EnumerationOptions = {}): bigint {
  checkSizes(layerSizes);
  const minSparsity = opts.minSparsity ?? defaultMinSparsity(layerSizes);
  const L = layerSizes.length - 1;
  const hidden = layerSizes.slice(1, L).reduce((a, b) => a + b, 0);
  let total = 0n;
  const a: number[] = [layerSizes[0]];
  const rec = (l: number, weight: bigint, zeros: number): void => {
    if (l > L) {
      const full = a.every((v, i) => v === layerSizes[i]);
      if (full && !opts.includeFullNodeSet) return;
      if (minSparsity > 0 && hiddenSparsity(zeros, hidden) <= minSparsity) return;
      total += weight;
      return;
    }
    for (let k = 0; k <= layerSizes[l]; k++) {
      const e = countEdgeMatrices(k, a[l - 1]);
      if (e === 0n) continue;
      a[l] = k;
      rec(l + 1, weight * binom(layerSizes[l], k) * e, zeros + (l < L ? layerSizes[l] - k : 0));
    }
  };
  rec(1, 1n, 0);
  return total;
}

/** Candidates per second of `findCircuits` on this project's bench (2 slow cores: about 1 M/s on [2,5,5,1]), for time estimates. */
export const CANDIDATES_PER_SECOND = 1_000_000;

export const DEFAULT_MAX_CANDIDATES = 5_000_000;

/**
 * The refusal of an enumeration over budget. A notebook can catch it and read its numbers
 * (`if (e instanceof CandidateBudgetError) e.nCandidates`).
 */
export class CandidateBudgetError extends BudgetError {
  readonly layerSizes: readonly number[];
  constructor(layerSizes: readonly number[], nCandidates: number, limit: number) {
    const secs = nCandidates / CANDIDATES_PER_SECOND;
    super(
      `circuits: [${layerSizes.join(",")}] has ${nCandidates.toLocaleString("en-US")} candidate circuits (about ${formatDuration(secs)} to evaluate), ` +
        `over the limit of ${limit.toLocaleString("en-US")}. Raise maxCandidates (--max-candidates), raise minSparsity (--min-sparsity), ` +
        `or analyse a narrower model.`,
      nCandidates,
      limit,
      secs,
    );
    this.name = "CandidateBudgetError";
    this.layerSizes = layerSizes.slice();
  }
}

/** The candidate count; throws a CandidateBudgetError when it exceeds `maxCandidates` (default DEFAULT_MAX_CANDIDATES). */
export function checkCandidateBudget(layerSizes: readonly number[], opts: EnumerationOptions & { maxCandidates?: number } = {}): number {
  const n = countCandidates(layerSizes, opts);
  const limit = opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  if (n > limit) throw new CandidateBudgetError(layerSizes, n, limit);
  return n;
}

function formatDuration(s: number): string {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
