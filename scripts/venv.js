// The project-local Python environment (.venv) that runs the Jupyter side: JupyterLab, the plotly renderer,
// nbclient and nbconvert, pinned in kernel/requirements.txt. Every script that needs Jupyter calls ensureVenv():
// it creates the environment on first use (saying so), reinstalls when the requirements change, recreates it
// when it is broken, and links the project kernel spec into it so `jupyter kernelspec list` inside the
// environment lists it. Nothing is written outside the project.
"use strict";
const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const venvDir = path.join(root, ".venv");
const binDir = path.join(venvDir, process.platform === "win32" ? "Scripts" : "bin");
const python = path.join(binDir, process.platform === "win32" ? "python.exe" : "python");
const requirements = path.join(root, "kernel", "requirements.txt");
const stampFile = path.join(venvDir, ".mi-identifiability-requirements");
const KERNEL_NAME = "mi-identifiability";
const kernelSpecDir = path.join(root, "kernel", KERNEL_NAME);

function log(msg) {
  process.stderr.write(`[venv] ${msg}\n`);
}

function run(cmd, args, what) {
  // pip's download cache goes into the project too (.cache/pip, gitignored) unless the user chose one.
  const env = { ...process.env, PIP_CACHE_DIR: process.env.PIP_CACHE_DIR || path.join(root, ".cache", "pip") };
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, env });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    throw new Error(`${what} failed (${why}). Command: ${cmd} ${args.join(" ")}`);
  }
}

function requirementsHash() {
  return crypto.createHash("sha256").update(fs.readFileSync(requirements)).digest("hex");
}

function pythonWorks() {
  if (!fs.existsSync(python)) return false;
  const r = spawnSync(python, ["-c", "import jupyter_client, nbclient, nbconvert, jupyterlab, plotly"], { stdio: "ignore" });
  return r.status === 0;
}

function findSystemPython() {
  for (const cand of [process.env.PYTHON, "python3", "python"].filter(Boolean)) {
    const r = spawnSync(cand, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
    if (r.status !== 0) continue;
    const [maj, min] = r.stdout.trim().split(".").map(Number);
    if (maj > 3 || (maj === 3 && min >= 10)) return cand;
    log(`${cand} is Python ${r.stdout.trim()}; the Jupyter side needs Python >= 3.10, trying the next candidate.`);
  }
  throw new Error("No Python >= 3.10 found (tried $PYTHON, python3, python). Install Python 3.10+ with venv (Debian: apt-get install python3 python3-venv) or set PYTHON=/path/to/python3.");
}

/** Links kernel/mi-identifiability into .venv/share/jupyter/kernels (relative link: the project can move). */
function linkKernelSpec() {
  const kernelsDir = path.join(venvDir, "share", "jupyter", "kernels");
  const link = path.join(kernelsDir, KERNEL_NAME);
  const target = path.relative(kernelsDir, kernelSpecDir);
  fs.mkdirSync(kernelsDir, { recursive: true });
  try {
    const st = fs.lstatSync(link);
    if (st.isSymbolicLink() && fs.readlinkSync(link) === target) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    /* not there yet */
  }
  fs.symlinkSync(target, link, "dir");
}

/**
 * Where Jupyter, JupyterLab and IPython keep their state (config, data such as the notebook trust database, runtime
 * files such as kernel connection files, Lab's workspaces and user settings): .jupyter-local/ in the project
 * (gitignored), never the user's home. MI_JUPYTER_DIR moves the whole set elsewhere (the browser test uses a
 * temporary folder, so that its workspace does not reopen in the user's next `npm run lab`).
 */
function jupyterDirs() {
  const base = process.env.MI_JUPYTER_DIR ? path.resolve(process.env.MI_JUPYTER_DIR) : path.join(root, ".jupyter-local");
  return {
    JUPYTER_CONFIG_DIR: path.join(base, "config"),
    JUPYTER_DATA_DIR: path.join(base, "data"),
    JUPYTER_RUNTIME_DIR: path.join(base, "runtime"),
    JUPYTERLAB_SETTINGS_DIR: path.join(base, "lab", "user-settings"),
    JUPYTERLAB_WORKSPACES_DIR: path.join(base, "lab", "workspaces"),
    IPYTHONDIR: path.join(base, "ipython"),
  };
}

/**
 * Makes sure .venv exists with the pinned requirements and the project kernel; returns how to run its tools:
 * {python, binDir, env} where env puts the venv first on PATH.
 */
function ensureVenv() {
  const want = requirementsHash();
  const have = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, "utf8").trim() : null;
  if (have !== want || !pythonWorks()) {
    if (!fs.existsSync(venvDir)) {
      log(`creating the project's Python environment in .venv (first use; installs ${path.relative(root, requirements)}, takes a minute or two)`);
    } else if (have !== want && fs.existsSync(python)) {
      log("kernel/requirements.txt changed: updating .venv");
    } else {
      log(".venv is incomplete or broken: recreating it");
      fs.rmSync(venvDir, { recursive: true, force: true });
    }
    if (!fs.existsSync(python)) {
      const sys = findSystemPython();
      const r = spawnSync(sys, ["-m", "venv", venvDir], { stdio: "inherit" });
      if (r.status !== 0) {
        fs.rmSync(venvDir, { recursive: true, force: true });
        throw new Error(`\`${sys} -m venv .venv\` failed. On Debian/Ubuntu install the venv module: apt-get install python3-venv`);
      }
    }
    // One retry per index instead of pip's five: with an unreachable index in pip's config (offline mirrors) the
    // default backoff costs minutes. PIP_RETRIES in the environment wins.
    const retries = process.env.PIP_RETRIES ? [] : ["--retries", "1"];
    run(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", ...retries, "-r", requirements], "Installing kernel/requirements.txt into .venv");
    if (!pythonWorks()) throw new Error(".venv was installed but cannot import jupyter_client/nbclient/nbconvert/jupyterlab/plotly; delete .venv and retry.");
    fs.writeFileSync(stampFile, want + "\n");
    log("the Python environment is ready");
  }
  linkKernelSpec();
  const dirs = jupyterDirs();
  // IPython falls back to a temporary folder (with a warning) when its folder's parent does not exist.
  fs.mkdirSync(dirs.IPYTHONDIR, { recursive: true, mode: 0o700 });
  const env = { ...process.env, PATH: binDir + path.delimiter + (process.env.PATH || ""), VIRTUAL_ENV: venvDir, JUPYTER_PLATFORM_DIRS: "1", ...dirs };
  // Jupyter starts the kernel with `node` from PATH: make it this very node.
  env.PATH = path.dirname(process.execPath) + path.delimiter + env.PATH;
  delete env.PYTHONHOME;
  return { python, binDir, env, root, kernelName: KERNEL_NAME };
}

module.exports = { ensureVenv, jupyterDirs, KERNEL_NAME, root };

if (require.main === module) {
  try {
    const { binDir } = ensureVenv();
    log(`ok: ${path.relative(root, binDir)} (activate with: source .venv/bin/activate)`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
