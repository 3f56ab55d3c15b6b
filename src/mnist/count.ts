/**
 * The closed-form number of candidate circuits of a network of any width, as a big integer: the rule of the
 * circuit search (every input kept, every kept neuron with an incoming and an outgoing edge, the full node set
 * excluded) without main.py's sparsity filter, a speed heuristic for its sweeps. The circuit stage's count
 * enumerates node counts layer by layer and stops at 16-wide layers; a 784 → 128 → 128 network needs a transform
 * instead: per layer, Σ_a v(a)·N(b, a) with N(b, a) = Σ_k (−1)^(a−k) C(a, k) (2^k − 1)^b (matrices without a zero
 * row or column) is rewritten with (2^k − 1)^b = Σ_t C(b, t) (−1)^(b−t) 2^(kt), so that the work is shifts and
 * additions of big integers (a fraction of a second for the MNIST network).
 */
import { InputError } from "../errors";

function binomRow(n: number): bigint[] {
  const row: bigint[] = [1n];
  for (let k = 1; k <= n; k++) row.push((row[k - 1] * BigInt(n - k + 1)) / BigInt(k));
  return row;
}

/** Number of b×a 0/1 matrices without a zero row or column, by the smaller side's inclusion–exclusion. */
function edgeMatrices(b: number, a: number): bigint {
  if (a === 0 || b === 0) return a === 0 && b === 0 ? 1n : 0n;
  const lo = Math.min(a, b);
  const hi = BigInt(Math.max(a, b));
  const c = binomRow(lo);
  let s = 0n;
  for (let k = 0; k <= lo; k++) {
    const term = c[k] * ((1n << BigInt(k)) - 1n) ** hi;
    s += (lo - k) % 2 ? -term : term;
  }
  return s;
}

/**
 * Candidate circuits of `layerSizes` (inputs all kept, no sparsity filter; the full node set excluded unless
 * `includeFullNodeSet`). Equal to the circuit stage's countCandidatesExact with minSparsity 0 where both apply.
 */
export function countCandidatesUnfiltered(layerSizes: readonly number[], opts: { includeFullNodeSet?: boolean } = {}): bigint {
  const key = `${JSON.stringify(layerSizes)}|${!!opts.includeFullNodeSet}`;
  let n = memo.get(key);
  if (n === undefined) {
    n = countUnfiltered(layerSizes, opts);
    memo.set(key, n);
  }
  return n;
}

// A sweep counts the same architecture once per model: the count is a pure function of the sizes.
const memo = new Map<string, bigint>();

function countUnfiltered(layerSizes: readonly number[], opts: { includeFullNodeSet?: boolean }): bigint {
  if (!Array.isArray(layerSizes) || layerSizes.length < 2 || layerSizes.some((s) => !Number.isInteger(s) || s < 1 || s > 100_000))
    throw new InputError(`countCandidatesUnfiltered: layerSizes must be at least two positive integers like [784, 128, 128, 3, 3, 3, 1], got ${JSON.stringify(layerSizes)}.`);
  // v[a]: weighted number of partial circuits whose last layer keeps a neurons.
  let v: bigint[] = new Array(layerSizes[0] + 1).fill(0n);
  v[layerSizes[0]] = 1n;
  for (let l = 1; l < layerSizes.length; l++) {
    const s = layerSizes[l];
    const maxA = v.length - 1;
    // u(k) = Σ_{a ≥ k} (−1)^(a−k) C(a, k) v(a)
    const u: bigint[] = new Array(maxA + 1).fill(0n);
    for (let a = 0; a <= maxA; a++) {
      if (v[a] === 0n) continue;
      const c = binomRow(a);
      for (let k = 0; k <= a; k++) u[k] += (a - k) % 2 ? -c[k] * v[a] : c[k] * v[a];
    }
    // w(t) = Σ_k u(k) · 2^(k t)
    const w: bigint[] = [];
    for (let t = 0; t <= s; t++) {
      let acc = 0n;
      for (let k = 0; k <= maxA; k++) if (u[k] !== 0n) acc += u[k] << BigInt(k * t);
      w.push(acc);
    }
    const cs = binomRow(s);
    const next: bigint[] = new Array(s + 1).fill(0n);
    for (let b = 1; b <= s; b++) {
      const cb = binomRow(b);
      let acc = 0n;
      for (let t = 0; t <= b; t++) acc += (b - t) % 2 ? -cb[t] * w[t] : cb[t] * w[t];
      next[b] = cs[b] * acc;
    }
    v = next;
  }
  let total = 0n;
  for (const x of v) total += x;
  if (!opts.includeFullNodeSet) {
    let full = 1n;
    for (let l = 1; l < layerSizes.length; l++) full *= edgeMatrices(layerSizes[l], layerSizes[l - 1]);
    total -= full;
  }
  return total;
}

/** A big count for people: "3.14 × 10^1234 (1 235 digits)" or the integer itself when short. */
export function formatBigCount(n: bigint): string {
  const s = n.toString();
  if (s.length <= 15) return Number(n).toLocaleString("en-US");
  return `${s[0]}.${s.slice(1, 3)} × 10^${s.length - 1} (an integer of ${s.length.toLocaleString("en-US")} digits)`;
}
