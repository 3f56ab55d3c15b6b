/**
 * Training speed, basic setup (XOR, [2,3,3,1], lr 1e-3, loss target 0.01, main.py's 4000 training / 200 validation
 * rows): ms per epoch of the fast engine and of TensorFlow.js on the cpu and wasm backends (fixed epochs, no early
 * stop), their ratios, then 100 basic-setup models (seed offsets 0…99, accepted or not) on the fast engine.
 * Targets (issue 3): fast ≥ 20× tfjs cpu per epoch; 100 models < 60 s. Run: npm run bench -- training
 */
import { experimentData, initMLP, trainMLP, trainMLPSync, trainExperimentSync } from "../src/train";
import { BackendName, loadTf } from "../src/backend";

const data = experimentData({ gates: ["XOR"] });
const init = initMLP([2, 3, 3, 1], ["XOR"], 0);

async function msPerEpoch(engine: "fast" | "tfjs", backend: BackendName | undefined, epochs: number): Promise<number> {
  const opts = { seed: 0, epochs, lossTarget: 0, patience: 1e9, engine, backend };
  await trainMLP(init, data.train, data.val, { ...opts, epochs: 2 }); // warm-up (JIT, backend init)
  const t = performance.now();
  const r = engine === "fast" ? trainMLPSync(init, data.train, data.val, opts) : await trainMLP(init, data.train, data.val, opts);
  return (performance.now() - t) / r.epochs;
}

async function main() {
  console.log("basic setup: XOR, [2,3,3,1], lr 1e-3, 4000 training rows (40 batches of 100) per epoch");
  let fast = Infinity;
  // fast, cpu and wasm alternate, 3 rounds, best of each: the machine is shared, so single timings are noisy.
  const rows: [string, number][] = [];
  for (const b of ["cpu", "wasm", "tensorflow"] as BackendName[]) {
    try {
      await loadTf(b);
      rows.push([b, Infinity]);
    } catch {
      console.log(`tfjs ${b}:`.padEnd(19) + "not available");
    }
  }
  for (let round = 0; round < 3; round++) {
    fast = Math.min(fast, await msPerEpoch("fast", undefined, 200));
    for (const row of rows) {
      await loadTf(row[0] as BackendName);
      row[1] = Math.min(row[1], await msPerEpoch("tfjs", row[0] as BackendName, 10));
    }
  }
  console.log(`fast engine:       ${fast.toFixed(3)} ms/epoch`);
  for (const [b, ms] of rows) console.log(`tfjs ${b}:`.padEnd(19) + `${ms.toFixed(2)} ms/epoch  (fast is ${(ms / fast).toFixed(0)}× faster)`);
  const best = rows.reduce((a, r) => (r[1] < a[1] ? r : a));
  console.log(`faster tfjs backend here: ${best[0]}`);

  const t = performance.now();
  let accepted = 0;
  let epochs = 0;
  for (let s = 0; s < 100; s++) {
    const { result } = trainExperimentSync({ gates: ["XOR"], seedOffset: s });
    if (result.accepted) accepted++;
    epochs += result.epochs;
  }
  const sec = (performance.now() - t) / 1000;
  console.log(`100 basic-setup models (fast, one thread): ${sec.toFixed(2)} s, ${(100 / sec).toFixed(1)} models/s, ${accepted} accepted, mean ${(epochs / 100).toFixed(1)} epochs`);
  const cpu = rows.find((r) => r[0] === "cpu");
  if (cpu) console.log(`same 100 models on tfjs cpu (estimated from ms/epoch): ${((epochs * cpu[1]) / 1000).toFixed(0)} s`);
  console.log(`targets: fast/tfjs-cpu ≥ 20× → ${cpu ? (cpu[1] / fast).toFixed(0) + "×" : "n/a"}; 100 models < 60 s → ${sec.toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
