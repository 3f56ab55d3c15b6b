/**
 * Interpretations summed over every perfect circuit of a model (SPEC 5), exact, without holding the circuits or their
 * groundings: the circuits are streamed from the counter's lazy listing and each one's groundings counted layer by
 * layer (countGroundings). The work is one grounding problem per perfect circuit, so it is estimated from the exact
 * circuit count first and refused over budget.
 */
import { BudgetError, InputError } from "../errors";
import { PerfectCountOptions, countPerfectCircuits, listPerfectCircuits } from "../circuits";
import { MLP } from "../model";
import { Dataset } from "../tasks";
import { countGroundings } from "./count";
import { GroundingMode, groundingProblem } from "./problem";

/** Seconds per grounded circuit of the seed-0 [2,5,5,1] model with the cut on this project's bench (2 slow cores: 26 268 in 6.6 s), for the estimate. */
export const SECONDS_PER_GROUNDED_CIRCUIT = 0.0003;
/** Default budget: perfect circuits grounded one after the other (about 10 minutes at the rate above). */
export const DEFAULT_MAX_GROUNDED_CIRCUITS = 2_000_000;

export interface SummedInterpretationsOptions extends PerfectCountOptions {
  groundingMode?: GroundingMode;
  /** Refuse when the model has more perfect circuits than this. Default DEFAULT_MAX_GROUNDED_CIRCUITS. */
  maxGroundedCircuits?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SummedInterpretations {
  /** Perfect circuits (all grounded). */
  circuits: number;
  /** Groundings summed over them, with multiplicities (the reference's count), exact. */
  interpretations: bigint;
}

/** The number of perfect circuits, and the time their interpretations would take to count, before counting them. */
export function estimateSummedInterpretations(model: MLP, val: Dataset, opts: PerfectCountOptions = {}): { circuits: number; seconds: number } {
  const circuits = countPerfectCircuits(model, val, opts).perfect;
  return { circuits, seconds: circuits * SECONDS_PER_GROUNDED_CIRCUIT };
}

/**
 * Interpretations of every perfect circuit of a one-output model, summed exactly (a bigint: totals pass 2^53 at
 * k ≥ 5). `val` decides which circuits are perfect, `xTt` grounds them (SPEC 5). Refused with a BudgetError carrying
 * the circuit count and the time estimate when there are more than `maxGroundedCircuits` perfect circuits.
 */
export function sumCircuitInterpretations(model: MLP, val: Dataset, xTt: { x: ArrayLike<number>; n: number }, opts: SummedInterpretationsOptions = {}): SummedInterpretations {
  if (!xTt || typeof xTt !== "object" || !Number.isInteger(xTt.n) || xTt.n < 1 || !xTt.x || xTt.x.length !== xTt.n * model.layerSizes[0])
    throw new InputError(`sumCircuitInterpretations: xTt must be the grounding inputs { x (n × ${model?.layerSizes?.[0]} values), n ≥ 1 }, e.g. a model file's xTt.`);
  const { circuits, seconds } = estimateSummedInterpretations(model, val, opts);
  const limit = opts.maxGroundedCircuits ?? DEFAULT_MAX_GROUNDED_CIRCUITS;
  if (circuits > limit)
    throw new BudgetError(
      `sumCircuitInterpretations: ${circuits.toLocaleString("en-US")} perfect circuits to ground, about ${(seconds / 3600).toFixed(1)} h at ${SECONDS_PER_GROUNDED_CIRCUIT * 1000} ms each, ` +
        `over maxGroundedCircuits = ${limit.toLocaleString("en-US")}. Raise maxGroundedCircuits, keep the sparsity cut, or count the circuits only (countPerfectCircuits).`,
      circuits,
      limit,
      seconds,
    );
  let total = 0n;
  let done = 0;
  for (const c of listPerfectCircuits(model, val, opts)) {
    total += BigInt(countGroundings(groundingProblem(model, c.masks, xTt.x, xTt.n, opts.groundingMode ?? "compat")));
    if (opts.onProgress && ++done % 1000 === 0) opts.onProgress(done, circuits);
  }
  return { circuits, interpretations: total };
}
