/** Shared by the benchmarks: the best of several runs, printed with what the run computed. */
export function best(label: string, f: () => string, runs = 3): number {
  let t = Infinity;
  let info = "";
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    info = f();
    t = Math.min(t, performance.now() - t0);
  }
  console.log(`${label}: best of ${runs} ${t.toFixed(1)} ms  (${info})`);
  return t;
}
