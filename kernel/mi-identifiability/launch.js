// Kernel entry point named by kernel.json. Node resolves this file through any symlink (the venv links this
// folder into .venv/share/jupyter/kernels), so __dirname is the real kernel/mi-identifiability folder of the project.
"use strict";
require(require("node:path").join(__dirname, "..", "..", "scripts", "kernel.js"));
