/**
 * Worker thread of the study runner: receives jobs, returns records. Runs from the built dist/ (see runner.ts).
 */
import { parentPort } from "node:worker_threads";
import type { AnalysisSettings } from "../analysis";
import { runStudyJob } from "./records";
import { runMnistJob } from "../mnist";
import type { StudyGrid, StudyJob } from "./studies";

export interface WorkerRequest {
  study: string;
  grid: StudyGrid;
  job: StudyJob;
  settings: AnalysisSettings;
}

export type WorkerReply = { job: number; record: ReturnType<typeof runStudyJob> } | { job: number; error: string };

if (parentPort) {
  const port = parentPort;
  port.on("message", (req: WorkerRequest) => {
    try {
      port.postMessage({ job: req.job.index, record: (req.study === "mnist" ? runMnistJob : runStudyJob)(req.study, req.grid, req.job, req.settings) } satisfies WorkerReply);
    } catch (e) {
      port.postMessage({ job: req.job.index, error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
    }
  });
}
