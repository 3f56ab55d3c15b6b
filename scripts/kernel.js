#!/usr/bin/env node
// Starts the project's own tslab as a Jupyter kernel, with the project root as working directory
// (Jupyter starts kernels in the notebook's folder; notebooks and their relative paths expect the root).
// Usage (by Jupyter, through kernel/mi-identifiability/kernel.json): node scripts/kernel.js <connection_file>
"use strict";
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const connectionFile = process.argv[2];
if (!connectionFile) {
  console.error("scripts/kernel.js: missing the connection file argument (Jupyter passes {connection_file}).");
  process.exit(2);
}
const connectionPath = path.resolve(connectionFile);
process.chdir(root);
// A stale dist/ is refused where the notebook shows it (importing the library throws, src/freshness.ts); say it here
// too, in the terminal that runs `npm run lab`.
const stale = require("./stale").staleReason(root);
if (stale) console.error(`[mi-identifiability kernel] ${require("./stale").staleMessage(root, stale, "Notebooks")}`);
const tslabMain = require.resolve("tslab/dist/main.js", { paths: [root] });
process.argv = [process.argv[0], require.resolve("tslab/bin/tslab", { paths: [root] }), "kernel", "--config-path", connectionPath];
// tslab (1.0.22) with zeromq 6 starts reading the shell socket before iopub is bound, so the first "busy" status can
// fail with EBUSY; the message is lost and the kernel works, but tslab prints the rejection to the notebook's
// stderr. Drop exactly that rejection; everything else reaches tslab's own handler.
const benignStartupRace = (reason) =>
  reason && reason.code === "EBUSY" && /publishStatus/.test(String(reason.stack || ""));
const on = process.on.bind(process);
process.on = (event, listener) =>
  event === "unhandledRejection" ? on(event, (reason, p) => benignStartupRace(reason) || listener(reason, p)) : on(event, listener);
require(tslabMain).main();
