/**
 * Populations of SIIT-trained transformers: N seeds per RASP case, trained in worker threads, each model's record
 * appended (and fsynced) to `records.jsonl` and its weights written to `models/<key>.json` as it finishes, so an
 * interrupted run loses only the models in progress; `resume` skips the keys already recorded. `run.json` holds the
 * population's settings; resuming with other settings is refused.
 *
 * A model is kept (`kept`) when its accuracy and mean IIA are both ≥ `keepAt` (InterpBench and the paper: 0.8).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { runWorkerPool } from "../pool";
import { lastPerKey, parseJsonLines } from "../jsonl";
import { InputError } from "../errors";
import { Rng, deriveSeed } from "../rng";
import { BackendName } from "../backend";
import { RASP_CASES } from "../rasp/cases";
import { Correspondence, InterpBenchSizeOptions, constantCorrespondence, interpBenchConfig, randomArchitecture, randomCorrespondence } from "../rasp/correspondence";
import { TransformerConfig, transformerParameterCount } from "./types";
import { transformerToJson } from "./io";
import { SiitOptions, SiitPresetName, SiitResult, siitPreset, trainSiit } from "./siit";

/**
 * The paper's four regimes: tracr's placement on InterpBench's sizes ("constant"), a random correspondence on those
 * sizes, a random architecture (`randomArchitecture`: other head size, maybe one more block) with tracr's placement, and
 * both random.
 */
export const POPULATION_REGIMES = ["constant", "random-correspondence", "random-architecture", "random-both"] as const;
export type PopulationRegime = (typeof POPULATION_REGIMES)[number];

export interface PopulationSpec {
  cases: string[];
  /** Seeds 0 … seeds−1 per case. */
  seeds: number;
  regime: PopulationRegime;
  preset: SiitPresetName;
  /** Overrides of the preset (epochs, lr, …); `seed` is the job's. */
  options?: Partial<SiitOptions>;
  sizes?: InterpBenchSizeOptions;
  keepAt: number;
}

export interface PopulationJob {
  key: string;
  caseId: string;
  seed: number;
}

/** What every record of a SIIT-trained model holds (populations here, token-XOR populations): size, scores, time. */
export interface TrainedModelFields {
  config: TransformerConfig;
  parameters: number;
  correspondence: Correspondence;
  accuracy: number;
  iia: Record<string, number>;
  iiaMean: number;
  iiaMin: number;
  strictAccuracy: number | null;
  epochs: number;
  seconds: number;
  backend: BackendName;
}

export interface PopulationRecord extends TrainedModelFields {
  key: string;
  case: string;
  seed: number;
  regime: PopulationRegime;
  kept: boolean;
  stoppedEarly: boolean;
  /** Relative to the population folder. */
  modelFile: string;
}

export const POPULATION_RECORDS = "records.jsonl";
export const POPULATION_RUN = "run.json";

export function populationSpec(spec: Partial<PopulationSpec> = {}): PopulationSpec {
  const s: PopulationSpec = { cases: Object.keys(RASP_CASES), seeds: 5, regime: "constant", preset: "standard", keepAt: 0.8, ...spec };
  if (!Array.isArray(s.cases) || s.cases.length === 0) throw new InputError(`population: cases must be a non-empty list of case numbers (${Object.keys(RASP_CASES).join(", ")}).`);
  for (const c of s.cases) if (!RASP_CASES[c]) throw new InputError(`population: unknown case "${c}"; the cases are ${Object.keys(RASP_CASES).join(", ")}.`);
  if (!Number.isInteger(s.seeds) || s.seeds < 1) throw new InputError(`population: seeds must be a positive integer, got ${s.seeds}.`);
  if (!POPULATION_REGIMES.includes(s.regime)) throw new InputError(`population: regime must be one of ${POPULATION_REGIMES.join(", ")}; got ${JSON.stringify(s.regime)}.`);
  siitPreset(s.preset, s.options);
  return s;
}

export function populationJobs(spec: PopulationSpec): PopulationJob[] {
  return spec.cases.flatMap((caseId) => Array.from({ length: spec.seeds }, (_, seed) => ({ key: `case${caseId}-seed${seed}`, caseId, seed })));
}

/** The architecture and correspondence of one job under the spec's regime (seeded by the job's seed and case). */
export function populationJobDesign(spec: PopulationSpec, job: PopulationJob): { config: TransformerConfig; correspondence: Correspondence } {
  const program = RASP_CASES[job.caseId].program;
  const randomArch = spec.regime === "random-architecture" || spec.regime === "random-both";
  const randomCorr = spec.regime === "random-correspondence" || spec.regime === "random-both";
  const config = randomArch
    ? randomArchitecture(program, new Rng(deriveSeed(job.seed, "population", "architecture", job.caseId)), spec.sizes)
    : interpBenchConfig(program, spec.sizes);
  const correspondence = randomCorr
    ? randomCorrespondence(program, config, new Rng(deriveSeed(job.seed, "population", "correspondence", job.caseId)))
    : constantCorrespondence(program, config);
  return { config, correspondence };
}

/** The shared fields of a trained model's record. */
export function trainedModelFields(config: TransformerConfig, correspondence: Correspondence, r: SiitResult): TrainedModelFields {
  const s = r.scores;
  return {
    config,
    parameters: transformerParameterCount(config),
    correspondence,
    accuracy: s.accuracy,
    iia: s.iia,
    iiaMean: s.iiaMean,
    iiaMin: s.iiaMin,
    strictAccuracy: s.strictAccuracy,
    epochs: r.epochs.length,
    seconds: r.seconds,
    backend: r.backend,
  };
}

/** Trains one job (in whichever thread calls it): the record and the model file's JSON. */
export async function trainPopulationJob(spec: PopulationSpec, job: PopulationJob): Promise<{ record: PopulationRecord; modelJson: Record<string, unknown> }> {
  const program = RASP_CASES[job.caseId].program;
  const { config, correspondence } = populationJobDesign(spec, job);
  const options = siitPreset(spec.preset, { ...spec.options, seed: job.seed });
  const r = await trainSiit({ program, config, correspondence, options });
  const s = r.scores;
  const record: PopulationRecord = {
    key: job.key,
    case: job.caseId,
    seed: job.seed,
    regime: spec.regime,
    ...trainedModelFields(config, correspondence, r),
    kept: s.accuracy >= spec.keepAt && s.iiaMean >= spec.keepAt,
    stoppedEarly: r.stoppedEarly,
    modelFile: `models/${job.key}.json`,
  };
  const modelJson = transformerToJson(r.model, { encoding: "base64", meta: { program: job.caseId, seed: job.seed, regime: spec.regime, correspondence, scores: s, siit: options, epochs: r.epochs } });
  return { record, modelJson };
}

/** The records of a population folder (a torn last line is dropped), one per key. */
export function readPopulation(dir: string): PopulationRecord[] {
  const file = path.join(dir, POPULATION_RECORDS);
  if (!fs.existsSync(file)) throw new InputError(`No population at ${dir} (${POPULATION_RECORDS} missing): run \`mi-identifiability transformer population --out ${dir}\` first.`);
  return lastPerKey(parseJsonLines<PopulationRecord>(fs.readFileSync(file, "utf8"), file));
}

export interface RunPopulationOptions {
  spec: PopulationSpec;
  out: string;
  resume?: boolean;
  /** Worker threads (0: this thread). Default 1. */
  workers?: number;
  onRecord?: (r: PopulationRecord, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** The worker beside this file: worker.js in dist/, worker.ts under tsx (which the worker inherits). */
function populationWorkerFile(): string {
  return path.join(__dirname, `worker${path.extname(__filename)}`);
}

export async function runPopulation(opts: RunPopulationOptions): Promise<{ records: PopulationRecord[]; ran: number; skipped: number }> {
  const spec = populationSpec(opts.spec);
  const dir = opts.out;
  fs.mkdirSync(path.join(dir, "models"), { recursive: true });
  const runFile = path.join(dir, POPULATION_RUN);
  const recFile = path.join(dir, POPULATION_RECORDS);
  const has = fs.existsSync(recFile) && fs.readFileSync(recFile, "utf8").trim().length > 0;
  if (has && !opts.resume) throw new InputError(`${dir} already holds a population (${POPULATION_RECORDS}): pass --resume to continue it, or choose another --out.`);
  if (opts.resume && fs.existsSync(runFile)) {
    const prev = JSON.parse(fs.readFileSync(runFile, "utf8")) as PopulationSpec;
    const { cases: _a, seeds: _b, ...p } = prev;
    const { cases: _c, seeds: _d, ...q } = spec;
    if (JSON.stringify(p) !== JSON.stringify(q)) throw new InputError(`--resume: ${dir} holds a population with other settings (${JSON.stringify(p)}); resume with the same options or choose another --out.`);
  }
  fs.writeFileSync(runFile, JSON.stringify(spec, null, 2) + "\n");
  const done = has ? readPopulation(dir) : [];
  const doneKeys = new Set(done.map((r) => r.key));
  const jobs = populationJobs(spec);
  const todo = jobs.filter((j) => !doneKeys.has(j.key));
  const records = [...done];
  const fd = fs.openSync(recFile, "a");
  const finish = (record: PopulationRecord, modelJson: Record<string, unknown>) => {
    fs.writeFileSync(path.join(dir, record.modelFile), JSON.stringify(modelJson) + "\n");
    fs.writeSync(fd, JSON.stringify(record) + "\n");
    fs.fsyncSync(fd);
    records.push(record);
    opts.onRecord?.(record, records.length - done.length + (jobs.length - todo.length), jobs.length);
  };
  try {
    const workers = opts.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 0) throw new InputError(`population: workers must be a non-negative integer (0 = this thread), got ${workers}.`);
    if (workers === 0) {
      for (const job of todo) {
        if (opts.signal?.aborted) break;
        const { record, modelJson } = await trainPopulationJob(spec, job);
        finish(record, modelJson);
      }
    } else await onWorkers(Math.min(workers, todo.length), spec, todo, finish, opts.signal);
  } finally {
    fs.closeSync(fd);
  }
  const order = new Map(jobs.map((j, i) => [j.key, i]));
  records.sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
  return { records, ran: records.length - done.length, skipped: jobs.length - todo.length };
}

function onWorkers(n: number, spec: PopulationSpec, todo: PopulationJob[], finish: (r: PopulationRecord, m: Record<string, unknown>) => void, signal?: AbortSignal): Promise<void> {
  type Reply = { key: string; record?: PopulationRecord; modelJson?: Record<string, unknown>; error?: string };
  return runWorkerPool<PopulationJob, Reply>({
    size: n,
    spawn: () => {
      const file = populationWorkerFile();
      // Under tsx (running from src/), the worker needs the TypeScript loader too.
      return file.endsWith(".ts") ? new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { eval: true }) : new Worker(file);
    },
    jobs: todo,
    request: (job) => ({ spec, job }),
    reply: (m) => {
      if (m.error !== undefined) return new Error(`population job ${m.key}: ${m.error}`);
      finish(m.record!, m.modelJson!);
    },
    crashed: (e) => new Error(`population worker failed: ${e.message}`),
    signal,
  });
}

/** Per case: models, kept, parameters, and the mean accuracy, IIA, strict accuracy and training time. */
export function summarizePopulation(records: readonly PopulationRecord[]) {
  const cases = [...new Set(records.map((r) => r.case))];
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return cases.map((c) => {
    const rs = records.filter((r) => r.case === c);
    const strict = rs.map((r) => r.strictAccuracy).filter((x): x is number => x !== null);
    return {
      case: c,
      models: rs.length,
      kept: rs.filter((r) => r.kept).length,
      parameters: rs[0].parameters,
      config: rs[0].config,
      accuracy: mean(rs.map((r) => r.accuracy)),
      iia: mean(rs.map((r) => r.iiaMean)),
      bestAccuracy: Math.max(...rs.map((r) => r.accuracy)),
      bestIia: Math.max(...rs.map((r) => r.iiaMean)),
      strictAccuracy: strict.length ? mean(strict) : null,
      seconds: mean(rs.map((r) => r.seconds)),
    };
  });
}
