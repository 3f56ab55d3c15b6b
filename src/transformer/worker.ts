/** Worker thread of runPopulation: trains the jobs it receives, one at a time, and returns record and model. */
import { parentPort } from "node:worker_threads";
import { PopulationJob, PopulationSpec, trainPopulationJob } from "./population";

if (parentPort) {
  const port = parentPort;
  port.on("message", (req: { spec: PopulationSpec; job: PopulationJob }) => {
    trainPopulationJob(req.spec, req.job).then(
      ({ record, modelJson }) => port.postMessage({ key: req.job.key, record, modelJson }),
      (e: unknown) => port.postMessage({ key: req.job.key, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
