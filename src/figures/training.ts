/**
 * Figures and tables of training: loss curves, convergence, a model's output surface and hidden activations.
 * Pure functions returning Plotly objects / table rows.
 */
import { MLP, forward, forwardAll, neuronName } from "../model";
import { cleanInputs, rowBits } from "../tasks";
import { Figure, PALETTE, baseLayout } from "./figure";

/** What these figures need of a training run (a TrainResult fits). */
export interface TrainingRun {
  losses: readonly number[];
  accepted: boolean;
  epochs: number;
  loss: number;
  valAcc: number;
  stopReason?: string;
  timeMs?: number;
}

/** Loss per epoch (log scale) of one or more runs; accepted runs in blue, rejected in orange; the loss target dashed. */
export function lossCurvesFigure(runs: readonly TrainingRun[], opts: { labels?: readonly string[]; lossTarget?: number; title?: string } = {}): Figure {
  if (runs.length === 0) throw new Error("lossCurvesFigure: give at least one training run.");
  const shown = new Set<boolean>();
  const data: Record<string, unknown>[] = runs.map((r, i) => {
    const first = !shown.has(r.accepted);
    shown.add(r.accepted);
    const label = opts.labels?.[i] ?? `run ${i}`;
    return {
      type: "scatter",
      mode: "lines",
      x: r.losses.map((_, e) => e + 1),
      y: [...r.losses],
      name: runs.length === 1 ? label : r.accepted ? "accepted" : "rejected",
      legendgroup: r.accepted ? "accepted" : "rejected",
      showlegend: runs.length === 1 || first,
      hovertemplate: `${label}<br>epoch %{x}<br>loss %{y:.5f}<extra></extra>`,
      line: { width: runs.length === 1 ? 2.5 : 1.2, color: r.accepted ? PALETTE[0] : PALETTE[1] },
      opacity: runs.length === 1 ? 1 : 0.7,
    };
  });
  const maxEpoch = Math.max(...runs.map((r) => r.losses.length));
  if (opts.lossTarget !== undefined && opts.lossTarget > 0)
    data.push({ type: "scatter", mode: "lines", x: [1, maxEpoch], y: [opts.lossTarget, opts.lossTarget], name: `loss target ${opts.lossTarget}`, line: { dash: "dash", color: PALETTE[7], width: 1 } });
  return {
    data,
    layout: baseLayout(opts.title ?? (runs.length === 1 ? "Training loss" : `Training loss of ${runs.length} runs`), {
      xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: "mean batch MSE" }, type: "log" },
      height: 380,
    }),
  };
}

/** The model's output over [0,1]² (a heatmap) with the four clean inputs marked: how it interpolates the gate. */
export function outputSurfaceFigure(model: MLP, opts: { output?: number; resolution?: number; title?: string } = {}): Figure {
  if (model.layerSizes[0] !== 2) throw new Error(`outputSurfaceFigure: needs a 2-input model, this one has ${model.layerSizes[0]} inputs.`);
  const output = opts.output ?? 0;
  const nOut = model.layerSizes[model.layerSizes.length - 1];
  if (!Number.isInteger(output) || output < 0 || output >= nOut) throw new Error(`outputSurfaceFigure: output must be 0…${nOut - 1}, got ${opts.output}.`);
  const n = opts.resolution ?? 41;
  if (!Number.isInteger(n) || n < 2) throw new Error(`outputSurfaceFigure: resolution must be an integer >= 2, got ${opts.resolution}.`);
  const grid = Array.from({ length: n }, (_, i) => i / (n - 1));
  const x = new Float32Array(n * n * 2);
  // Row i = x1 (y axis), column j = x0 (x axis).
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      x[(i * n + j) * 2] = grid[j];
      x[(i * n + j) * 2 + 1] = grid[i];
    }
  const out = forward(model, x, n * n);
  const z = grid.map((_, i) => grid.map((_, j) => out[(i * n + j) * nOut + output]));
  const clean = forward(model, cleanInputs(2), 4);
  const gate = model.gates[output] ?? `output ${output}`;
  return {
    data: [
      { type: "heatmap", x: grid, y: grid, z, colorscale: "RdBu", reversescale: true, zmid: 0.5, colorbar: { title: { text: "output" } }, hovertemplate: "x0 %{x:.2f}, x1 %{y:.2f}<br>output %{z:.3f}<extra></extra>" },
      { type: "contour", x: grid, y: grid, z, contours: { coloring: "none", start: 0.5, end: 0.5, size: 1, showlabels: true }, line: { color: "black", width: 2 }, showscale: false, name: "output = 0.5", hoverinfo: "skip" },
      {
        type: "scatter", mode: "markers+text", x: [0, 0, 1, 1], y: [0, 1, 0, 1], text: Array.from(clean.filter((_, k) => k % nOut === output), (v) => v.toFixed(3)),
        textposition: ["top right", "bottom right", "top left", "bottom left"], marker: { size: 12, color: "black", symbol: "x" }, name: "clean inputs", textfont: { size: 12 },
      },
    ],
    layout: baseLayout(opts.title ?? `${gate}: model output over [0,1]²`, { xaxis: { title: { text: "x0" }, range: [-0.02, 1.02] }, yaxis: { title: { text: "x1" }, range: [-0.02, 1.02], scaleanchor: "x" }, height: 450, width: 520, showlegend: false }),
  };
}

/** Every hidden neuron's activation on every clean input: rows = inputs (00, 01, …), columns = neurons by layer. */
export function hiddenActivationsFigure(model: MLP, opts: { title?: string } = {}): Figure {
  const nIn = model.layerSizes[0];
  const rows = 1 << nIn;
  const acts = forwardAll(model, cleanInputs(nIn), rows);
  const L = model.layerSizes.length - 1;
  const cols: string[] = [];
  const z: number[][] = Array.from({ length: rows }, () => []);
  for (let l = 1; l <= L; l++) {
    const s = model.layerSizes[l];
    for (let j = 0; j < s; j++) {
      cols.push(neuronName(l, j));
      for (let r = 0; r < rows; r++) z[r].push(acts[l][r * s + j]);
    }
  }
  const labels = Array.from({ length: rows }, (_, r) => rowBits(r, nIn).join(""));
  return {
    data: [
      {
        type: "heatmap", x: cols, y: labels, z, colorscale: "Viridis", colorbar: { title: { text: "activation" } },
        text: z.map((r) => r.map((v) => v.toFixed(2))), texttemplate: "%{text}", hovertemplate: "input %{y}, %{x}: %{z:.4f}<extra></extra>",
      },
    ],
    layout: baseLayout(opts.title ?? "Hidden activations on the clean inputs", { xaxis: { title: { text: "neuron (L{layer}.{unit}; the last layer is the output)" } }, yaxis: { title: { text: "input x0x1" }, autorange: "reversed", type: "category" }, height: 320 }),
  };
}

/** Epochs to stop per run, accepted vs rejected (stacked histogram), with the acceptance rate in the title. */
export function convergenceFigure(runs: readonly TrainingRun[], opts: { title?: string } = {}): Figure {
  if (runs.length === 0) throw new Error("convergenceFigure: give at least one training run.");
  const acc = runs.filter((r) => r.accepted);
  const rej = runs.filter((r) => !r.accepted);
  const rate = (100 * acc.length) / runs.length;
  return {
    data: [
      { type: "histogram", x: acc.map((r) => r.epochs), name: `accepted (${acc.length})`, marker: { color: PALETTE[0] } },
      { type: "histogram", x: rej.map((r) => r.epochs), name: `rejected (${rej.length})`, marker: { color: PALETTE[1] } },
    ],
    layout: baseLayout(opts.title ?? `Convergence: ${acc.length}/${runs.length} accepted (${rate.toFixed(0)}%)`, { barmode: "stack", xaxis: { title: { text: "epochs trained" } }, yaxis: { title: { text: "runs" } }, height: 340 }),
  };
}

/** One table row per run (for showTable): seed, accepted, epochs, final loss, validation accuracy, why it stopped. */
export function trainingTableRows(runs: readonly TrainingRun[], seeds?: readonly number[]): Record<string, unknown>[] {
  return runs.map((r, i) => ({
    seed: seeds?.[i] ?? i,
    accepted: r.accepted ? "yes" : "no",
    epochs: r.epochs,
    final_loss: Number(r.loss.toPrecision(4)),
    val_acc: r.valAcc,
    stopped: r.stopReason ?? "",
    ...(r.timeMs !== undefined ? { ms: r.timeMs } : {}),
  }));
}
