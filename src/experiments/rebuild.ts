/**
 * A study record's model, retrained. Compact records keep no weights; training is deterministic (same seed, same
 * engine: same weights), so the job is trained again from the record's own columns and checked against the record's
 * epochs and final loss before anything is computed from it.
 */
import { StudyRecord } from "../analysis";
import { InputError } from "../errors";
import { MLP } from "../model";
import { Dataset } from "../tasks";
import { trainExperimentSync } from "../train";
import { jobExperimentConfig } from "./records";
import { StudyGrid, getStudy, studyJobs } from "./studies";

export interface RebuiltStudyModel {
  model: MLP;
  /** Validation rows (decide which circuits are perfect). */
  val: Dataset;
  /** Grounding inputs. */
  xTt: { x: Float32Array; n: number };
  /** Milliseconds of training. */
  ms: number;
}

/**
 * The grid of the record's job: `grid` when given (a run's run.json), else the study's registered grid narrowed to
 * the record's width, depth, gates, loss target, learning rate, seed and noise, so widths outside the registered grid
 * (e.g. `run network-size --sizes 6`) rebuild too.
 */
export function recordGrid(record: StudyRecord, grid?: StudyGrid): StudyGrid {
  if (grid) return grid;
  const base = getStudy(record.study).grid;
  return {
    ...base,
    nGates: [record.n_gates],
    sizes: [record.sizes],
    depths: [record.depth],
    lossTargets: [record.loss_target],
    learningRates: [record.learning_rate],
    seed: record.seed,
    noiseStd: record.noise_std,
    experiments: record.seed_offset + 1,
  };
}

/** Retrains a record's model and checks it against the record (epochs, acceptance, final loss within 1e-9). */
export function rebuildStudyModel(record: StudyRecord, grid?: StudyGrid): RebuiltStudyModel {
  const g = recordGrid(record, grid);
  const job = studyJobs(g).find((j) => j.key === record.key);
  if (!job) throw new InputError(`record ${record.key} is not a job of study ${record.study}'s grid; pass the run's grid (its run.json).`);
  const t0 = performance.now();
  const { data, result } = trainExperimentSync(jobExperimentConfig(g, job));
  if (result.accepted !== record.accepted || result.epochs !== record.epochs || (record.final_loss !== null && Math.abs(result.loss - record.final_loss) > 1e-9))
    throw new Error(`retraining ${record.key} gave epochs ${result.epochs}, loss ${result.loss}; the record says ${record.epochs}, ${record.final_loss} (different code or settings).`);
  return { model: result.model, val: data.val, xTt: data.xTt, ms: performance.now() - t0 };
}
