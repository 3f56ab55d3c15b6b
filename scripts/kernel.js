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
const tslabMain = require.resolve("tslab/dist/main.js", { paths: [root] });
process.argv = [process.argv[0], require.resolve("tslab/bin/tslab", { paths: [root] }), "kernel", "--config-path", connectionPath];
require(tslabMain).main();
