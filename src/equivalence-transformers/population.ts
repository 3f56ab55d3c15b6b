/**
 * Implementations of an algorithm: for each stage, a model drawn (seeded) from the trained models of that stage's
 * case, pooled over the cached populations of the paper's four regimes (different seeds, placements and sizes).
 * Only kept models (accuracy and mean IIA ≥ 0.8) are drawn.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../errors";
import { Rng } from "../rng";
import { RASP_CASES } from "../rasp/cases";
import { Correspondence } from "../rasp/correspondence";
import { Transformer } from "../transformer/types";
import { transformerFromJson } from "../transformer/io";
import { POPULATION_REGIMES, PopulationRecord, readPopulation } from "../transformer/population";
import { AlgorithmSpec, Pipeline, makePipeline } from "./pipeline";

/** A trained model of one case, ready to be a stage. */
export interface StageModel {
  /** "<population folder name>/<record key>", e.g. "constant/case59-seed1". */
  key: string;
  caseId: string;
  model: Transformer;
  correspondence: Correspondence;
  record: PopulationRecord;
}

/** The cached populations, one per regime (notebooks/cached-results/transformers/<regime>). */
export function defaultStageModelDirs(): string[] {
  const root = path.resolve(__dirname, "..", "..", "notebooks", "cached-results", "transformers");
  return POPULATION_REGIMES.map((d) => path.join(root, d));
}

/** The kept models of the given cases (default: every case) from population folders, in folder then record order. */
export function loadStageModels(dirs: readonly string[] = defaultStageModelDirs(), cases?: readonly string[]): StageModel[] {
  for (const c of cases ?? []) if (!RASP_CASES[c]) throw new InputError(`loadStageModels: unknown case "${c}"; the cases are ${Object.keys(RASP_CASES).join(", ")}.`);
  const want = cases ? new Set(cases) : null;
  const out: StageModel[] = [];
  for (const dir of dirs) {
    const name = path.basename(dir);
    for (const r of readPopulation(dir)) {
      if (!r.kept || (want && !want.has(r.case))) continue;
      const file = path.join(dir, r.modelFile);
      if (!fs.existsSync(file)) throw new InputError(`${dir}: the record ${r.key} names ${r.modelFile}, which is missing; regenerate the population (its README has the command).`);
      const { model } = transformerFromJson(JSON.parse(fs.readFileSync(file, "utf8")));
      out.push({ key: `${name}/${r.key}`, caseId: r.case, model, correspondence: r.correspondence, record: r });
    }
  }
  return out;
}

/**
 * `count` implementations of the algorithm: each stage's model drawn uniformly from that case's models, without
 * repeating a combination while unused combinations remain. Refused when a case has no model.
 */
export function sampleImplementations(algorithm: AlgorithmSpec, models: readonly StageModel[], count: number, rng: Rng): Pipeline[] {
  if (!Number.isInteger(count) || count < 1) throw new InputError(`sampleImplementations: count must be a positive integer, got ${count}.`);
  const pools = algorithm.cases.map((c) => {
    const pool = models.filter((m) => m.caseId === c);
    if (pool.length === 0) throw new InputError(`sampleImplementations: no kept model of case ${c} for ${algorithm.name}; load a population that has one.`);
    return pool;
  });
  const combos = pools.reduce((n, p) => n * p.length, 1);
  const seen = new Set<string>();
  const out: Pipeline[] = [];
  while (out.length < count) {
    const pick = pools.map((p) => rng.int(p.length));
    const id = pick.join(",");
    if (seen.has(id) && seen.size < combos) continue;
    seen.add(id);
    out.push(
      makePipeline(
        algorithm,
        pick.map((j, s) => {
          const m = pools[s][j];
          return { caseId: m.caseId, program: RASP_CASES[m.caseId].program, model: m.model, correspondence: m.correspondence, key: m.key };
        }),
      ),
    );
  }
  return out;
}
