/**
 * The task data and metrics the discovery methods score circuits with. The networks have one output, read through
 * LeakyReLU and rounded (no sigmoid, no softmax), so the metrics are stated for a scalar output y(x) with label t(x):
 *
 * | metric        | loss (lower is better)                       | what it stands for                                  |
 * |---------------|----------------------------------------------|-----------------------------------------------------|
 * | `accuracy`    | 1 − fraction of rows with round(y) = t       | the acceptance rule's quantity (not differentiable) |
 * | `mse`         | mean (y − t)²                                | the training loss                                   |
 * | `logit-diff`  | − mean (2t − 1) · y                          | logit difference: the output pushed to the label's side |
 * | `output-mse`  | mean (y − y_full)²                           | KL to the full model (ACDC's and edge pruning's default): faithfulness |
 *
 * Means are over the data set's rows; rows repeat (200 validation rows are 4 distinct inputs), so the task keeps the
 * distinct rows with their frequencies as weights.
 */
import { MLP, runWithCache } from "../model";
import { roundHalfEven } from "../model";
import { Dataset } from "../tasks";
import { InputError } from "../errors";

export const DISCOVERY_METRICS = ["accuracy", "mse", "logit-diff", "output-mse"] as const;
export type DiscoveryMetric = (typeof DISCOVERY_METRICS)[number];

/** Distinct rows of a one-output data set, their frequencies, and the full model's outputs on them. */
export interface DiscoveryTask {
  /** u × inputs. */
  x: Float32Array;
  /** u labels. */
  y: Float32Array;
  /** Frequencies (sum 1). */
  w: Float64Array;
  u: number;
  nInputs: number;
  /** The full model's output on each row. */
  fullOutput: Float32Array;
}

/** The task of a one-output model on a data set (rows deduplicated with their frequencies). */
export function discoveryTask(model: MLP, data: Dataset): DiscoveryTask {
  const L = model.layerSizes.length - 1;
  if (model.layerSizes[L] !== 1)
    throw new InputError(`discovery: the model has ${model.layerSizes[L]} outputs; the methods take one output at a time (splitOutputs(model)[i], or --output i).`);
  if (!data || data.nInputs !== model.layerSizes[0] || data.nOutputs !== 1)
    throw new InputError(`discovery: data must have ${model.layerSizes[0]} inputs and 1 output (the model is [${model.layerSizes.join(",")}]), got ${data?.nInputs}/${data?.nOutputs}.`);
  const ni = data.nInputs;
  const index = new Map<string, number>();
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (let r = 0; r < data.n; r++) {
    const xr = Array.from(data.x.subarray(r * ni, (r + 1) * ni));
    const key = xr.join(",") + "|" + data.y[r];
    const k = index.get(key);
    if (k !== undefined) ws[k]++;
    else {
      index.set(key, ws.length);
      xs.push(...xr);
      ys.push(data.y[r]);
      ws.push(1);
    }
  }
  const x = Float32Array.from(xs);
  const u = ws.length;
  return { x, y: Float32Array.from(ys), w: Float64Array.from(ws, (v) => v / data.n), u, nInputs: ni, fullOutput: runWithCache(model, x, u, { names: [] }).output };
}

export function checkMetric(metric: string, where: string, differentiable = false): DiscoveryMetric {
  if (!(DISCOVERY_METRICS as readonly string[]).includes(metric)) throw new InputError(`${where}: metric must be one of ${DISCOVERY_METRICS.join(", ")}, got ${JSON.stringify(metric)}.`);
  if (differentiable && metric === "accuracy")
    throw new InputError(`${where}: accuracy has no gradient; use mse, logit-diff or output-mse for gradient-based methods (accuracy is fine for acdc).`);
  return metric as DiscoveryMetric;
}

/** The metric's loss on outputs `out` (one per task row). */
export function metricLoss(metric: DiscoveryMetric, task: DiscoveryTask, out: ArrayLike<number>): number {
  let s = 0;
  for (let r = 0; r < task.u; r++) {
    const y = out[r];
    const t = task.y[r];
    const w = task.w[r];
    switch (metric) {
      case "accuracy":
        s += roundHalfEven(y) === t ? w : 0;
        break;
      case "mse":
        s += w * (y - t) * (y - t);
        break;
      case "logit-diff":
        s -= w * (2 * t - 1) * y;
        break;
      case "output-mse": {
        const d = y - task.fullOutput[r];
        s += w * d * d;
        break;
      }
    }
  }
  return metric === "accuracy" ? 1 - s : s;
}

/** d loss / d out_r for each row (differentiable metrics only). */
export function metricGradient(metric: DiscoveryMetric, task: DiscoveryTask, out: ArrayLike<number>): Float64Array {
  const g = new Float64Array(task.u);
  for (let r = 0; r < task.u; r++) {
    const y = out[r];
    const w = task.w[r];
    if (metric === "mse") g[r] = 2 * w * (y - task.y[r]);
    else if (metric === "logit-diff") g[r] = -w * (2 * task.y[r] - 1);
    else if (metric === "output-mse") g[r] = 2 * w * (y - task.fullOutput[r]);
    else throw new InputError("metricGradient: accuracy has no gradient.");
  }
  return g;
}
