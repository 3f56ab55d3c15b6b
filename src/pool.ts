/**
 * A pool of worker threads pulling jobs in order. One reply per job; the first failure (a reply that is an error, a
 * worker crash, or an exception while handling a reply) stops the pool and rejects with it. Abort stops the pool
 * between replies: jobs in progress are dropped, so their results are never half-written.
 */
import { Worker } from "node:worker_threads";

export interface WorkerPoolOptions<J, M> {
  /** Threads to start (capped at the number of jobs). */
  size: number;
  spawn: () => Worker;
  jobs: readonly J[];
  /** The message that asks a worker to run one job. */
  request: (job: J) => unknown;
  /** Handles one reply; returns an Error when the reply reports a failed job. */
  reply: (message: M) => Error | void;
  /** The error reported when a worker thread itself fails. */
  crashed: (e: Error) => Error;
  signal?: AbortSignal;
}

export function runWorkerPool<J, M>(opts: WorkerPoolOptions<J, M>): Promise<void> {
  const { jobs, signal } = opts;
  const size = Math.min(opts.size, jobs.length);
  return new Promise((resolve, reject) => {
    if (size <= 0 || signal?.aborted) return resolve();
    const pool: Worker[] = [];
    let next = 0;
    let finished = 0;
    let stopped = false;
    const stop = (err?: Error) => {
      if (stopped) return;
      stopped = true;
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (next < jobs.length) w.postMessage(opts.request(jobs[next++]));
    };
    signal?.addEventListener("abort", () => stop(), { once: true });
    for (let i = 0; i < size; i++) {
      const w = opts.spawn();
      pool.push(w);
      w.on("message", (m: M) => {
        if (stopped || signal?.aborted) return;
        let failure: Error | void;
        try {
          failure = opts.reply(m);
        } catch (e) {
          failure = e as Error;
        }
        if (failure) return stop(failure);
        if (++finished === jobs.length) return stop();
        feed(w);
      });
      w.on("error", (e) => stop(opts.crashed(e)));
      feed(w);
    }
  });
}
