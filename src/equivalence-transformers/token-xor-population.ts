/**
 * The token-XOR population: transformers trained by SIIT (src/transformer/siit.ts) to implement one of the three
 * XOR classes through a seeded random correspondence, several seeds and widths per class. Models are trained one
 * after another in this thread (they take about a minute each on a shared core), each record appended to
 * `records.jsonl` and its weights written to `models/<key>.json` (the transformer file format) as it finishes, so an
 * interrupted run loses only the model in progress; `resume` skips the keys already recorded, and refuses a folder
 * made with other settings (`run.json`).
 *
 * A model is kept when its accuracy, its mean IIA over the high-level nodes (the rule of src/transformer/population.ts)
 * and the IIA of each of its class's variables (OR and AND for C1, …) are all ≥ `keepAt` (0.8, InterpBench's and the
 * paper's threshold): the class must be imposed, while the copies of x₁ and x₆ on single heads may stay leakier (other
 * heads keep copying them; the strict loss ablates one head at a time and does not remove that redundancy).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { lastPerKey, parseJsonLines } from "../jsonl";
import { InputError } from "../errors";
import { TrainedModelFields, trainedModelFields } from "../transformer/population";
import { transformerFromJson, transformerToJson } from "../transformer/io";
import { SiitEpochRow, SiitOptions, siitPreset, trainSiit } from "../transformer/siit";
import { XOR_CLASSES, XorClass } from "../equivalence/groundTruth";
import { TOKEN_XOR_VARIABLES, TOKEN_XOR_WIDTHS, tokenXorConfig, tokenXorCorrespondence, tokenXorProgram } from "./token-xor";
import { TOKEN_XOR_SETTINGS, TokenXorClustering, TokenXorClusteringOptions, TokenXorMember, tokenXorClustering } from "./token-xor-clustering";

export interface TokenXorPopulationSpec {
  classes: XorClass[];
  /** Seeds 0 … seeds−1 per class and width. */
  seeds: number;
  /** Head sizes (the width: d_model = 4·d_head, d_mlp = 16·d_head). */
  widths: number[];
  /** Overrides of SIIT's quick preset (`seed` is the job's). */
  options: Partial<SiitOptions>;
  keepAt: number;
}

/**
 * The cached population's settings: 3 classes × 4 seeds × 2 widths (d_head 2 and 3); SIIT's quick preset (Adam
 * lr 1e-2) with batches of 64 from 1 024 sequences per epoch, up to 30 epochs, stopping once accuracy and mean IIA
 * reach 0.95.
 */
export function tokenXorPopulationSpec(spec: Partial<TokenXorPopulationSpec> = {}): TokenXorPopulationSpec {
  const s: TokenXorPopulationSpec = { classes: [...XOR_CLASSES], seeds: 4, widths: [...TOKEN_XOR_WIDTHS], options: { epochs: 30, batchSize: 64, nTrain: 1024 }, keepAt: 0.8, ...spec };
  if (!Array.isArray(s.classes) || s.classes.length === 0 || s.classes.some((c) => !XOR_CLASSES.includes(c)))
    throw new InputError(`token-XOR population: classes must be a non-empty list of ${XOR_CLASSES.join(", ")}, got ${JSON.stringify(s.classes)}.`);
  if (!Number.isInteger(s.seeds) || s.seeds < 1) throw new InputError(`token-XOR population: seeds must be a positive integer, got ${s.seeds}.`);
  if (!Array.isArray(s.widths) || s.widths.length === 0) throw new InputError(`token-XOR population: widths must be a non-empty list of head sizes, got ${JSON.stringify(s.widths)}.`);
  s.widths.forEach((w) => tokenXorConfig(w));
  if (!(s.keepAt >= 0 && s.keepAt <= 1)) throw new InputError(`token-XOR population: keepAt must be in [0, 1], got ${s.keepAt}.`);
  siitPreset("quick", s.options);
  return s;
}

export interface TokenXorJob {
  key: string;
  cls: XorClass;
  dHead: number;
  seed: number;
}

/** Jobs seed by seed (every class and width of seed 0 first), so a partial run is balanced. */
export function tokenXorJobs(spec: TokenXorPopulationSpec): TokenXorJob[] {
  const jobs: TokenXorJob[] = [];
  for (let seed = 0; seed < spec.seeds; seed++) for (const dHead of spec.widths) for (const cls of spec.classes) jobs.push({ key: `${cls}-d${dHead}-seed${seed}`, cls, dHead, seed });
  return jobs;
}

export interface TokenXorRecord extends TrainedModelFields {
  key: string;
  cls: XorClass;
  dHead: number;
  seed: number;
  kept: boolean;
  /** Relative to the population folder. */
  modelFile: string;
}

/** The keep rule (see the file's comment) on a record's scores. */
export function tokenXorKept(r: Pick<TokenXorRecord, "cls" | "accuracy" | "iia" | "iiaMean">, keepAt = 0.8): boolean {
  return r.accuracy >= keepAt && r.iiaMean >= keepAt && TOKEN_XOR_VARIABLES[r.cls].every((v) => r.iia[v] >= keepAt);
}

/** Trains one model: its record and its file's JSON. */
export async function trainTokenXorModel(spec: TokenXorPopulationSpec, job: TokenXorJob, onEpoch?: (row: SiitEpochRow, total: number) => void): Promise<{ record: TokenXorRecord; modelJson: Record<string, unknown> }> {
  const program = tokenXorProgram(job.cls);
  const config = tokenXorConfig(job.dHead);
  const correspondence = tokenXorCorrespondence(job.cls, config, job.seed);
  const options = siitPreset("quick", { ...spec.options, seed: job.seed });
  const r = await trainSiit({ program, config, correspondence, options, onEpoch });
  const s = r.scores;
  const record: TokenXorRecord = {
    key: job.key,
    cls: job.cls,
    dHead: job.dHead,
    seed: job.seed,
    ...trainedModelFields(config, correspondence, r),
    kept: tokenXorKept({ cls: job.cls, ...s }, spec.keepAt),
    modelFile: `models/${job.key}.json`,
  };
  const modelJson = transformerToJson(r.model, { encoding: "base64", meta: { program: program.id, cls: job.cls, seed: job.seed, correspondence, scores: s, siit: options } });
  return { record, modelJson };
}

export const TOKEN_XOR_RECORDS = "records.jsonl";
export const TOKEN_XOR_RUN = "run.json";

/** The records of a population folder, one per key (a torn last line is dropped). */
export function readTokenXorRecords(dir: string): TokenXorRecord[] {
  const file = path.join(dir, TOKEN_XOR_RECORDS);
  if (!fs.existsSync(file)) throw new InputError(`No token-XOR population at ${dir} (${TOKEN_XOR_RECORDS} missing); train one with runTokenXorPopulation (see notebooks/cached-results/token-xor/README.md).`);
  return lastPerKey(parseJsonLines<TokenXorRecord>(fs.readFileSync(file, "utf8"), file));
}

export interface RunTokenXorPopulationOptions {
  out: string;
  spec?: Partial<TokenXorPopulationSpec>;
  resume?: boolean;
  onRecord?: (record: TokenXorRecord, done: number, total: number) => void;
  onEpoch?: (job: TokenXorJob, row: SiitEpochRow, total: number) => void;
}

/** Trains the population into `out` (see the file's comment). */
export async function runTokenXorPopulation(opts: RunTokenXorPopulationOptions): Promise<{ records: TokenXorRecord[]; ran: number; skipped: number }> {
  const spec = tokenXorPopulationSpec(opts.spec);
  const runFile = path.join(opts.out, TOKEN_XOR_RUN);
  const recFile = path.join(opts.out, TOKEN_XOR_RECORDS);
  fs.mkdirSync(path.join(opts.out, "models"), { recursive: true });
  let done = new Set<string>();
  if (fs.existsSync(recFile)) {
    if (!opts.resume) throw new InputError(`${recFile} exists; pass resume to continue that population, or choose another folder.`);
    const prev = JSON.parse(fs.readFileSync(runFile, "utf8"));
    if (JSON.stringify(prev) !== JSON.stringify(spec)) throw new InputError(`${runFile} holds other settings (${JSON.stringify(prev)}); resume with the same settings or choose another folder.`);
    done = new Set(readTokenXorRecords(opts.out).map((r) => r.key));
  }
  fs.writeFileSync(runFile, JSON.stringify(spec, null, 2) + "\n");
  const jobs = tokenXorJobs(spec);
  let ran = 0;
  for (const job of jobs) {
    if (done.has(job.key)) continue;
    const { record, modelJson } = await trainTokenXorModel(spec, job, opts.onEpoch ? (row, total) => opts.onEpoch!(job, row, total) : undefined);
    fs.writeFileSync(path.join(opts.out, record.modelFile), JSON.stringify(modelJson) + "\n");
    const fd = fs.openSync(recFile, "a");
    fs.writeSync(fd, JSON.stringify(record) + "\n");
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    ran++;
    opts.onRecord?.(record, done.size + ran, jobs.length);
  }
  return { records: readTokenXorRecords(opts.out), ran, skipped: done.size };
}

/** The committed population (notebooks/cached-results/token-xor), from src/ or dist/. */
export function tokenXorCacheDir(): string {
  return path.resolve(__dirname, "..", "..", "notebooks", "cached-results", "token-xor");
}

export interface TokenXorPopulation {
  records: TokenXorRecord[];
  /** The kept models, in record order. */
  members: TokenXorMember[];
}

/** Reads a population folder (default: the committed one): every record and the kept models. */
export function loadTokenXorPopulation(dir: string = tokenXorCacheDir()): TokenXorPopulation {
  const records = readTokenXorRecords(dir);
  const members = records
    .filter((r) => r.kept)
    .map((r) => {
      const file = path.join(dir, r.modelFile);
      if (!fs.existsSync(file)) throw new InputError(`token-XOR population ${dir}: ${r.modelFile} (record ${r.key}) is missing; retrain with resume after removing its record.`);
      return { key: r.key, cls: r.cls, model: transformerFromJson(JSON.parse(fs.readFileSync(file, "utf8"))).model, correspondence: r.correspondence };
    });
  return { records, members };
}

export const TOKEN_XOR_CLUSTERING = "clustering.json";

export interface TokenXorClusteringEntry {
  name: string;
  options: TokenXorClusteringOptions;
  /** Only the kept models of this head size (absent: every kept model). */
  dHead?: number;
  result: TokenXorClustering;
  seconds: number;
}

/** Runs every setting of TOKEN_XOR_SETTINGS on a population folder's kept models and writes `clustering.json`. */
export function writeTokenXorClustering(dir: string, onEntry?: (e: TokenXorClusteringEntry) => void): TokenXorClusteringEntry[] {
  const { records, members } = loadTokenXorPopulation(dir);
  const headSize = new Map(records.map((r) => [r.key, r.dHead]));
  const entries = TOKEN_XOR_SETTINGS.map(({ name, options, dHead }) => {
    const t = Date.now();
    const chosen = dHead === undefined ? members : members.filter((m) => headSize.get(m.key) === dHead);
    const e: TokenXorClusteringEntry = { name, options, ...(dHead === undefined ? {} : { dHead }), result: tokenXorClustering(chosen, options), seconds: (Date.now() - t) / 1000 };
    onEntry?.(e);
    return e;
  });
  // NaN (a point test without enough models) is written as null
  fs.writeFileSync(path.join(dir, TOKEN_XOR_CLUSTERING), JSON.stringify(entries, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)) + "\n");
  return entries;
}

/** The cached clustering of every setting (default: the committed population's). */
export function loadTokenXorClustering(dir: string = tokenXorCacheDir()): TokenXorClusteringEntry[] {
  const file = path.join(dir, TOKEN_XOR_CLUSTERING);
  if (!fs.existsSync(file)) throw new InputError(`${file} is missing; write it with writeTokenXorClustering (see notebooks/cached-results/token-xor/README.md).`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as TokenXorClusteringEntry[];
}
