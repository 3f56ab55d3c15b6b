/** The paper's within- vs between-interpretation point test with its bootstrap detection rate (EQUIVALENCE 3.2, 6.4). */
import { Rng } from "../rng";

export interface PointTestOptions {
  /** Draws per test (default 20, as the paper). */
  draws?: number;
  /** Bootstrap repetitions (default 40). */
  bootstraps?: number;
  seed?: number;
}

/**
 * The paper's point test between populations A and B (indices into a similarity matrix s): draw a1 ≠ a2 from A and
 * b from B, count s(a1→a2) > s(a1→b); A and B are distinguishable when the one-sided 95 % lower bound of that rate
 * exceeds 0.5. Returns the detection rate over bootstraps and the mean win rate p̂.
 */
export function pointTest(s: number[][], a: readonly number[], b: readonly number[], opts: PointTestOptions = {}): { detectionRate: number; meanWinRate: number } {
  if (a.length < 2) throw new Error("pointTest: population A needs at least 2 implementations (a1 ≠ a2).");
  if (b.length < 1) throw new Error("pointTest: population B is empty.");
  const n = opts.draws ?? 20;
  const reps = opts.bootstraps ?? 40;
  const rng = new Rng(opts.seed ?? 0);
  let detected = 0;
  let winSum = 0;
  for (let t = 0; t < reps; t++) {
    let wins = 0;
    for (let d = 0; d < n; d++) {
      const i = rng.int(a.length);
      let k = rng.int(a.length - 1);
      if (k >= i) k++;
      let bj = b[rng.int(b.length)];
      // within-population test: b must differ from a1 and a2, as three distinct implementations
      let guard = 0;
      while ((bj === a[i] || bj === a[k]) && guard++ < 100) bj = b[rng.int(b.length)];
      if (s[a[i]][a[k]] > s[a[i]][bj]) wins++;
    }
    const p = wins / n;
    winSum += p;
    if (p - 1.96 * Math.sqrt((p * (1 - p)) / n) > 0.5) detected++;
  }
  return { detectionRate: detected / reps, meanWinRate: winSum / reps };
}
