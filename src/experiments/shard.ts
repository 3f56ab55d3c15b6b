/**
 * A study split across machines: shard i of N runs a fixed subset of the study's jobs and writes its own results
 * folder. The assignment depends only on the grid and N (never on the machine, the time or the number of workers),
 * so every shard of an array job computes the same partition on its own; each shard folder also stores the job
 * indices it was given, so `merge` checks the partition from the folders themselves.
 */
import { InputError } from "../errors";
import { StudyGrid, StudyJob, estimateJobSeconds, studyJobs } from "./studies";

/** Shard `index` of `count`, counted from 0 (SLURM_ARRAY_TASK_ID with `--array=0-(N-1)`). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** What a shard folder's run.json records: its place and the jobs (indices into studyJobs(grid)) it was given. */
export interface ShardInfo extends ShardSpec {
  jobs: number[];
}

/** "i/N" → { index: i, count: N }, with an error naming the option and the valid range. */
export function parseShard(text: string, option = "--shard"): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  if (!m) throw new InputError(`${option} must be i/N (shard i of N, i counted from 0, e.g. 0/4 … 3/4), got "${text}".`);
  const spec = { index: Number(m[1]), count: Number(m[2]) };
  checkShardSpec(spec, option);
  return spec;
}

export function checkShardSpec(spec: ShardSpec, option = "shard"): void {
  const { index, count } = spec;
  if (!Number.isSafeInteger(count) || count < 1) throw new InputError(`${option}: the number of shards must be a positive integer, got ${count}.`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new InputError(`${option}: shard ${index}/${count} does not exist; shards count from 0: 0/${count} … ${count - 1}/${count} (SLURM_ARRAY_TASK_ID with --array=0-${count - 1}).`);
}

export const shardName = (s: ShardSpec): string => `${s.index}/${s.count}`;

/** The folder of shard i of N inside a study's results folder. */
export const shardFolderName = (s: ShardSpec): string => `shard-${s.index}-of-${s.count}`;

/**
 * Splits jobs into `count` shards of about equal estimated time (greedy longest-first: jobs by decreasing estimated
 * seconds, ties by job index, each to the shard with the least estimated load so far, ties to the lowest shard).
 * A plain round robin would not do: network-size's jobs cycle through k = 2…5, so with 4 shards one shard would get
 * every k = 5 model. Returns, per shard, its job indices in job order; together they are a partition of 0…jobs-1.
 */
export function assignShards(jobs: readonly StudyJob[], count: number, seconds: (job: StudyJob) => number): number[][] {
  checkShardSpec({ index: 0, count });
  const cost = jobs.map((j) => {
    const s = seconds(j);
    if (!(s >= 0) || !Number.isFinite(s)) throw new InputError(`assignShards: the estimated seconds of job ${j.index} (${j.key}) must be a finite number >= 0, got ${s}.`);
    return s;
  });
  const order = jobs.map((_, i) => i).sort((a, b) => cost[b] - cost[a] || jobs[a].index - jobs[b].index);
  const load = new Array<number>(count).fill(0);
  const shards: number[][] = Array.from({ length: count }, () => []);
  for (const i of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    load[best] += cost[i];
    shards[best].push(jobs[i].index);
  }
  for (const s of shards) s.sort((a, b) => a - b);
  return shards;
}

/** The jobs of the whole study split into `count` shards by estimated time (studyJobs + assignShards). */
export function studyShards(grid: StudyGrid, count: number): number[][] {
  return assignShards(studyJobs(grid), count, (j) => estimateJobSeconds(grid, j));
}

/** Shard i of N of a study: its place and its job indices (what its run.json records). */
export function shardInfo(grid: StudyGrid, spec: ShardSpec): ShardInfo {
  checkShardSpec(spec);
  return { index: spec.index, count: spec.count, jobs: studyShards(grid, spec.count)[spec.index] };
}
