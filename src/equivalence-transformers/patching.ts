/**
 * The one patching routine of the transformer study: a budget of k circuit heads (attention heads the
 * correspondence maps a program node to) take their `hook_z` from the run on corrupted inputs, spent from the last
 * stage backwards (EQUIVALENCE 3.2). Within a stage the budget goes from the last layer down, heads in index order.
 * The values are `set` interventions holding the corrupted run's cached `hook_z` rows (row i of the clean probes
 * takes row i of the corrupted run), so the corrupted pipeline runs once per implementation.
 */
import { InputError } from "../errors";
import { TransformerIntervention } from "../transformer/interventions";
import { Pipeline, PipelineRun } from "./pipeline";

export interface CircuitHead {
  stage: number;
  caseId: string;
  /** The program node the head implements. */
  node: string;
  layer: number;
  head: number;
}

/** The pipeline's circuit heads in the order the budget spends them. */
export function circuitHeads(pipeline: Pipeline): CircuitHead[] {
  const out: CircuitHead[] = [];
  for (let s = pipeline.stages.length - 1; s >= 0; s--) {
    const st = pipeline.stages[s];
    const heads: CircuitHead[] = [];
    for (const [node, sites] of Object.entries(st.correspondence))
      for (const site of sites) if (site.component === "attn") for (const h of site.heads) heads.push({ stage: s, caseId: st.caseId, node, layer: site.layer, head: h });
    const seen = new Set<string>();
    heads
      .sort((a, b) => b.layer - a.layer || a.head - b.head)
      .forEach((h) => {
        const id = `${h.layer}.${h.head}`;
        if (!seen.has(id)) out.push(h);
        seen.add(id);
      });
  }
  return out;
}

/** The `hook_z` hooks a stage's circuit heads live on (what the corrupted run must cache). */
export function circuitHookNames(pipeline: Pipeline, stage: number): string[] {
  return [...new Set(circuitHeads(pipeline).filter((h) => h.stage === stage).map((h) => `blocks.${h.layer}.attn.hook_z`))];
}

/**
 * Per stage, the interventions that patch the first k circuit heads with their values in `corrupted`, the unpatched
 * pipeline run on the corrupted probes (row-aligned with the clean probes, caching circuitHookNames). k over the
 * circuit's head count is refused.
 */
export function patchingInterventions(pipeline: Pipeline, k: number, corrupted: PipelineRun): TransformerIntervention[][] {
  const heads = circuitHeads(pipeline);
  if (!Number.isInteger(k) || k < 0 || k > heads.length)
    throw new InputError(`patching ${pipeline.algorithm.name}: k must be an integer from 0 to ${heads.length} (the circuit's heads: ${heads.map((h) => `stage ${h.stage} L${h.layer}H${h.head}`).join(", ") || "none"}), got ${k}.`);
  if (corrupted.caches.length !== pipeline.stages.length) throw new InputError(`patching ${pipeline.algorithm.name}: the corrupted run has ${corrupted.caches.length} stages; the pipeline has ${pipeline.stages.length}.`);
  const per: TransformerIntervention[][] = pipeline.stages.map(() => []);
  for (const h of heads.slice(0, k)) {
    const hook = `blocks.${h.layer}.attn.hook_z`;
    const z = corrupted.caches[h.stage][hook];
    if (!z) throw new InputError(`patching ${pipeline.algorithm.name}: the corrupted run of stage ${h.stage} lacks ${hook}; run it with names circuitHookNames(pipeline, ${h.stage}).`);
    const [n, T, H, E] = z.shape;
    const rowValues = new Float32Array(n * T * E);
    for (let r = 0; r < n; r++) for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) rowValues[(r * T + t) * E + e] = z.data[((r * T + t) * H + h.head) * E + e];
    per[h.stage].push({ kind: "set", site: { hook, heads: [h.head] }, rowValues });
  }
  return per;
}
