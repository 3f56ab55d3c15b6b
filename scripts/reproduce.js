#!/usr/bin/env node
// npm run reproduce [-- NAME...] [--out DIR] [--timeout S] [--jobs N] [--no-build]
// Builds the library, then executes notebooks/*.ipynb (or only those whose file name contains one of the NAMEs)
// headlessly with the project kernel, writing executed .ipynb and self-contained .html into output/.
// Parallel kernels take notebooks from one queue, longest first by the times of the last run into the same folder
// (output/reproduce-times.json); at the end it prints the seconds of every notebook and the total.
// A failing cell makes it exit 1 and print the notebook, the cell number and the real TypeScript diagnostic or
// exception (tslab's error headline is only "<Error>"; the message is in the cell's stderr).
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const os = require("node:os");
const fs = require("node:fs");
const path = require("node:path");
const { ensureVenv, KERNEL_NAME, root } = require("./venv");
const { staleMessage, staleReason } = require("./stale");

function parse(argv) {
  // Notebooks run in parallel kernels, one per core by default (each notebook is mostly single-threaded).
  const o = { names: [], out: path.join(root, "output"), timeout: 600, build: true, dir: path.join(root, "notebooks"), jobs: Math.min(4, os.availableParallelism()) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") o.out = path.resolve(argv[++i]);
    else if (a === "--timeout") o.timeout = Number(argv[++i]);
    else if (a === "--no-build") o.build = false;
    else if (a === "--jobs") o.jobs = Number(argv[++i]);
    else if (a === "--help" || a === "-h") o.help = true;
    else if (a.startsWith("--")) throw new Error(`reproduce: unknown option ${a} (options: --out DIR, --timeout SECONDS, --jobs N, --no-build)`);
    else o.names.push(a);
  }
  if (!Number.isInteger(o.timeout) || o.timeout <= 0) throw new Error("reproduce: --timeout must be a positive whole number of seconds per cell");
  if (!Number.isInteger(o.jobs) || o.jobs <= 0) throw new Error("reproduce: --jobs must be a positive whole number of parallel kernels");
  return o;
}

/**
 * Notebooks that stop by design: the student version of the coursework halts at its first unanswered exercise
 * (test/coursework.test.ts runs it and checks the message). They run only when named by path.
 */
const STOPS_BY_DESIGN = ["12-coursework.ipynb"];

/** The notebooks to run: every notebooks/*.ipynb, or the ones matching NAMEs; an explicit .ipynb path also works. */
function selectNotebooks(o) {
  const all = fs.existsSync(o.dir) ? fs.readdirSync(o.dir).filter((f) => f.endsWith(".ipynb") && !STOPS_BY_DESIGN.includes(f)).sort().map((f) => path.join(o.dir, f)) : [];
  if (o.names.length === 0) return all;
  const picked = [];
  for (const n of o.names) {
    if (n.endsWith(".ipynb") && fs.existsSync(n)) {
      picked.push(path.resolve(n));
      continue;
    }
    const hits = all.filter((f) => path.basename(f, ".ipynb").includes(n));
    if (hits.length === 0) throw new Error(`reproduce: no notebook in notebooks/ matches "${n}" (have: ${all.map((f) => path.basename(f)).join(", ") || "none"})`);
    picked.push(...hits);
  }
  return [...new Set(picked)];
}

/** A readable failure report for one notebook. */
function formatFailure(r) {
  const f = r.failure;
  const rel = path.relative(process.cwd(), r.notebook) || r.notebook;
  const where = f.cell ? `cell ${f.cell}${f.code_cell ? ` (code cell ${f.code_cell})` : ""}` : "(no cell)";
  const lines = [`FAILED ${rel}, ${where}: ${f.ename}${f.evalue ? `: ${f.evalue}` : ""}`];
  if (f.source) lines.push("  cell source:", ...f.source.split("\n").slice(0, 12).map((l) => `  | ${l}`));
  const stderr = (f.stderr || "").trim();
  if (stderr) lines.push("  message:", ...stderr.split("\n").map((l) => `  ${l}`));
  if (r.ipynb) lines.push(`  executed notebook: ${path.relative(process.cwd(), r.ipynb)}`);
  return lines.join("\n");
}

/** Seconds each notebook took in the last run into this output folder (none: an empty object). */
const TIMES_FILE = "reproduce-times.json";
function previousTimes(out) {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, TIMES_FILE), "utf8"));
  } catch {
    return {};
  }
}

/**
 * Longest first, by the last run's times (a notebook never timed counts as the longest): handed out from one queue,
 * this keeps the parallel kernels busy until the end instead of one finishing minutes before the other.
 */
function longestFirst(notebooks, times) {
  const t = (nb) => times[path.basename(nb)] ?? Infinity;
  return [...notebooks].sort((a, b) => t(b) - t(a) || notebooks.indexOf(a) - notebooks.indexOf(b));
}

/**
 * One executor process that takes notebooks from the shared `queue` (an array it shifts) until it is empty;
 * resolves to the results of the notebooks it ran (a failure entry for the one in flight if the process dies).
 */
function runExecutor(venv, o, queue) {
  return new Promise((resolve) => {
    const child = spawn(venv.python, [path.join(__dirname, "execute_notebooks.py"), o.out, KERNEL_NAME, String(o.timeout), "-"], {
      cwd: root,
      // The exported HTML must open offline: kernels inline plotly.js once per notebook (live notebooks do not).
      env: { ...venv.env, MI_PLOTLY_MODE: "inline" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const results = [];
    let inFlight = null;
    let stdout = "";
    let pending = "";
    const next = () => {
      inFlight = queue.shift() ?? null;
      if (inFlight) child.stdin.write(inFlight + "\n");
      else child.stdin.end();
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      pending += d;
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.startsWith("RESULT ")) continue;
        results.push(JSON.parse(line.slice("RESULT ".length)));
        next();
      }
    });
    child.stdin.on("error", () => {}); // a dead executor: reported on close
    child.on("close", (code) => {
      if (inFlight) {
        const failure = { cell: null, ename: "ExecutorFailed", evalue: `the notebook executor exited ${code}`, stderr: stdout };
        results.push({ notebook: inFlight, ipynb: "", html: "", failure });
      }
      resolve(results);
    });
    next();
  });
}

/**
 * Seconds per notebook, slowest first, with their sum: the total wall time is shorter when kernels run in
 * parallel; the sum is what one kernel would take.
 */
function timingTable(results) {
  const rows = results.filter((r) => typeof r.seconds === "number").sort((a, b) => b.seconds - a.seconds);
  if (rows.length === 0) return "reproduce: no notebook reported its time";
  const width = Math.max(...rows.map((r) => path.basename(r.notebook).length));
  const lines = rows.map((r) => `  ${path.basename(r.notebook).padEnd(width)}  ${r.seconds.toFixed(1).padStart(6)} s${r.failure ? "  FAILED" : ""}`);
  const sum = rows.reduce((s, r) => s + r.seconds, 0);
  return ["reproduce: seconds per notebook (kernel start included), slowest first:", ...lines, `  ${"sum".padEnd(width)}  ${sum.toFixed(1).padStart(6)} s`].join("\n");
}

async function main() {
  const o = parse(process.argv.slice(2));
  if (o.help) {
    console.log("usage: npm run reproduce [-- NAME...] [--out DIR] [--timeout SECONDS_PER_CELL] [--jobs N] [--no-build]");
    return 0;
  }
  const notebooks = selectNotebooks(o);
  if (notebooks.length === 0) {
    console.error("reproduce: no notebooks in notebooks/");
    return 1;
  }
  if (o.build) {
    const b = spawnSync(process.execPath, [path.join(__dirname, "build.js")], { stdio: "inherit", cwd: root });
    if (b.status !== 0) throw new Error("reproduce: the build failed (above), so no notebook ran: it would import a stale dist/.");
  } else {
    const reason = staleReason(root);
    if (reason) throw new Error(staleMessage(root, reason, "reproduce --no-build"));
  }
  const venv = ensureVenv();
  const t0 = Date.now();
  const jobs = Math.min(o.jobs, notebooks.length);
  const times = previousTimes(o.out);
  const queue = longestFirst(notebooks, times);
  const results = (await Promise.all(Array.from({ length: jobs }, () => runExecutor(venv, o, queue)))).flat();
  // Notebooks left in the queue when every executor died: reported, not lost.
  for (const nb of queue.splice(0)) results.push({ notebook: nb, ipynb: "", html: "", failure: { cell: null, ename: "ExecutorFailed", evalue: "no executor was left to run it", stderr: "" } });
  results.sort((a, b) => notebooks.indexOf(a.notebook) - notebooks.indexOf(b.notebook));
  for (const r of results) if (typeof r.seconds === "number") times[path.basename(r.notebook)] = r.seconds;
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, TIMES_FILE), JSON.stringify(times, null, 1) + "\n");
  const failed = results.filter((x) => x.failure);
  for (const x of failed) console.error("\n" + formatFailure(x));
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.error("\n" + timingTable(results));
  console.error(`\nreproduce: ${results.length - failed.length}/${results.length} notebooks ok in ${secs} s (${jobs} parallel kernel${jobs > 1 ? "s" : ""}); outputs in ${path.relative(process.cwd(), o.out) || "."}/`);
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
module.exports = { formatFailure, longestFirst, selectNotebooks, timingTable, STOPS_BY_DESIGN };
