// The course material: the library helpers the notebooks use instead of copies (clean data for a gate, the spread of
// a study's counts, the nearest reference class of a net), and notebook 12's two versions (instructor with solutions,
// student generated from it).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  cleanDataset, getGate, readRecords, modelCounts, spreadTable, describeSpread, describeIdentifiability, summarizeRecords, formatCount,
  handBuiltXor, handBuiltPopulation, makeProbes, prepareNet, nearestReferenceClass, InputError,
  runStudyCached, runStudyJob, getStudy, compactRecords,
} from "../src";
import type { StudyJob } from "../src";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { e2eSkip } from "./fixtures/browser";
import { tmpdir } from "node:os";
import type { ModelCounts } from "../src";

const root = path.resolve(__dirname, "..");
const networkSize = readRecords(path.join(root, "notebooks", "cached-results", "network-size.jsonl"));

test("cleanDataset: every input row once, labelled by each gate's truth table", () => {
  const d = cleanDataset(["XOR", "AND"]);
  assert.deepEqual([d.n, d.nInputs, d.nOutputs], [4, 2, 2]);
  assert.deepEqual([...d.x], [0, 0, 0, 1, 1, 0, 1, 1]);
  // brute force: the gates' definitions on the bits of each row
  const rows = [[0, 0], [0, 1], [1, 0], [1, 1]];
  assert.deepEqual([...d.y], rows.flatMap(([a, b]) => [a ^ b, a & b]));
  assert.deepEqual([...cleanDataset([getGate("IMP")]).y], [1, 1, 0, 1]);
  assert.throws(() => cleanDataset(["XQR"]), InputError);
});

test("spreadTable: the quartiles, range and zeros of each count against a naive computation on the cached network-size records", () => {
  const rows = spreadTable(networkSize, "size", ["circuits", "interpretations"]);
  assert.equal(rows.length, 8);
  const summary = summarizeRecords(networkSize, "size");
  for (const r of rows) {
    const k = Number(r.group.slice(2));
    const values = networkSize.filter((x) => x.sizes === k).map(modelCounts).filter((c): c is ModelCounts => c !== null).map((c) => (r.count === "perfect circuits" ? c.circuits : c.interpretations)) as number[];
    const s = [...values].sort((a, b) => a - b);
    const at = (q: number) => { const p = (s.length - 1) * q; const lo = Math.floor(p); return lo + 1 < s.length ? s[lo] + (p - lo) * (s[lo + 1] - s[lo]) : s[lo]; };
    assert.equal(r.models, s.length);
    assert.deepEqual([r.min, r.q1, r.median, r.q3, r.max], [s[0], at(0.25), at(0.5), at(0.75), s[s.length - 1]]);
    assert.equal(r.zeros, s.filter((v) => v === 0).length);
    const row = summary.find((x) => x.group === r.group)!;
    assert.equal(r.median, r.count === "perfect circuits" ? row.circuits_median : row.interpretations_median);
  }
  // width 2 has models without any perfect circuit (the reference never admits the full node set)
  assert.ok(rows.find((r) => r.group === "k=2" && r.count === "perfect circuits")!.zeros > 0);
  assert.throws(() => spreadTable(networkSize, "size", ["circuitz" as never]), InputError);
});

test("describeSpread and describeIdentifiability: sentences whose numbers are the records' own", () => {
  const k2 = spreadTable(networkSize, "size", ["circuits"]).find((r) => r.group === "k=2")!;
  const sentence = describeSpread(networkSize, "size", "circuits")[0];
  assert.equal(sentence, `k=2: perfect circuits median ${formatCount(k2.median)} (middle half ${formatCount(k2.q1)} to ${formatCount(k2.q3)}, range ${formatCount(k2.min)} to ${formatCount(k2.max)}), ${k2.zeros} of ${k2.models} accepted models at zero.`);
  const k3 = networkSize.filter((r) => r.sizes === 3);
  const counts = k3.map(modelCounts).filter((c): c is ModelCounts => c !== null);
  const several = counts.filter((c) => c.circuits > 1).length;
  const single = counts.filter((c) => c.circuits === 1 && c.interpretations === 1).length;
  const line = describeIdentifiability(networkSize, "size").find((s) => s.startsWith("k=3"))!;
  assert.ok(line.startsWith(`k=3: ${counts.length} of ${k3.length} networks accepted; ${several} with more than one perfect circuit`), line);
  assert.ok(line.endsWith(`${single} with a single circuit and a single interpretation.`), line);
  assert.deepEqual([formatCount(12), formatCount(2.2e10), formatCount(0.12345), formatCount(null)], ["12", "2.2e+10", "0.123", "none"]);
});

test("nearestReferenceClass: a hand-built net of each class is nearest to its own class, without alignment", () => {
  const probes = makeProbes(1, { n: 256, sigma: 0.1 });
  const refs = handBuiltPopulation(12, { perClass: 3, classes: ["C1", "C2", "C3"], depths: [1] }).map((r) => ({ cls: r.cls, net: prepareNet(r.model, probes) }));
  for (const cls of ["C1", "C2", "C3"] as const) {
    const { nearest, congruity } = nearestReferenceClass(prepareNet(handBuiltXor(cls, { hidden: [cls === "C3" ? 3 : 2] }), probes), refs);
    assert.equal(nearest, cls, JSON.stringify(congruity));
    assert.deepEqual(Object.keys(congruity).sort(), ["C1", "C2", "C3"]);
  }
  assert.throws(() => nearestReferenceClass(refs[0].net, []), InputError);
});

test("runStudyCached: a configuration in the file is read back, any other runs live (and is appended only when asked)", async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "mi-cache-")), "runs.jsonl");
  const grid = { ...getStudy("basic").grid, experiments: 2, sizes: [2] };
  let calls = 0;
  const runJob = (j: StudyJob) => (calls++, runStudyJob("custom", grid, j, {}));
  const first = await runStudyCached({ cacheFile: file, study: "custom", grid, workers: 0, runJob, update: true });
  assert.deepEqual([first.cached, calls, first.records.length], [false, 2, 2]);
  const again = await runStudyCached({ cacheFile: file, study: "custom", grid: { ...grid }, settings: { accuracyThreshold: 0.99 }, workers: 0, runJob });
  assert.deepEqual([again.cached, calls], [true, 2], "the default settings spelled out are the same configuration");
  assert.deepEqual(again.records, compactRecords(first.records));
  const other = await runStudyCached({ cacheFile: file, study: "custom", grid, settings: { groundingMode: "corrected" }, workers: 0, runJob });
  assert.deepEqual([other.cached, calls], [false, 4]);
  assert.equal(readFileSync(file, "utf8").trim().split("\n").length, 1, "not appended without update");
  writeFileSync(file, "{not json\n");
  await assert.rejects(runStudyCached({ cacheFile: file, study: "custom", grid, workers: 0, runJob }), /line 1 is not a cached run/);
});

// ---------------------------------------------------------------- notebook 12: instructor and student versions

type NotebookCell = { cell_type: string; source: string[] };
const notebookCells = (file: string): NotebookCell[] => (JSON.parse(readFileSync(file, "utf8")) as { cells: NotebookCell[] }).cells;
const cellText = (c: NotebookCell) => c.source.join("");
const { studentNotebook, stripSolutions, INSTRUCTOR, STUDENT } = require("../scripts/student-notebook.js") as {
  studentNotebook: (text: string) => string;
  stripSolutions: (cell: { cell_type: string; source: string }, where: string) => { source: string; regions: number };
  INSTRUCTOR: string;
  STUDENT: string;
};

test("the student version of 12 is exactly the instructor version with its solutions replaced by stubs", () => {
  assert.equal(readFileSync(STUDENT, "utf8"), studentNotebook(readFileSync(INSTRUCTOR, "utf8")), "run `npm run student-notebook` and commit notebooks/12-coursework.ipynb");
  const instructor = notebookCells(INSTRUCTOR);
  const student = notebookCells(STUDENT);
  assert.equal(student.length, instructor.length);
  const exercises = [...new Set(instructor.map(cellText).flatMap((t) => [...t.matchAll(/^## Exercise (\d+)/gm)].map((m) => Number(m[1]))))];
  assert.ok(exercises.length >= 5 && exercises.length <= 8, `5 to 8 exercises, found ${exercises.length}`);
  assert.deepEqual(exercises, exercises.map((_, i) => i + 1));
  for (const n of exercises) {
    // each exercise: an answer function with a solution region, a checkpoint, an explanation to write
    const answer = instructor.findIndex((c) => c.cell_type === "code" && new RegExp(`function exercise${n}\\b`).test(cellText(c)));
    assert.ok(answer >= 0 && /\/\/ ### BEGIN SOLUTION[\s\S]+\/\/ ### END SOLUTION/.test(cellText(instructor[answer])), `exercise ${n}: answer cell with a solution region`);
    assert.match(cellText(student[answer]), new RegExp(`return unanswered\\(${n}\\); // exercise ${n}: write your answer here`));
    assert.ok(instructor.some((c) => c.cell_type === "code" && cellText(c).includes(`checkpoint(${n}, [`)), `exercise ${n}: checkpoint cell`);
  }
  const studentText = student.map(cellText).join("\n");
  assert.ok(!/BEGIN SOLUTION|END SOLUTION|Instructor version/.test(studentText), "no solution marker or instructor note left in the student version");
  assert.equal((studentText.match(/\*Write your explanation here/g) ?? []).length, exercises.length);
  // hints point at documents of this repository that exist
  for (const doc of new Set(instructor.map(cellText).flatMap((t) => [...t.matchAll(/`(docs\/[\w.-]+\.md)`/g)].map((m) => m[1])))) assert.ok(existsSync(path.join(root, doc)), doc);
});

test("stripSolutions: stubs keep the indentation, name the exercise, and malformed regions are refused", () => {
  const code = { cell_type: "code", source: "function exercise3(): number {\n    // ### BEGIN SOLUTION\n    return 42;\n    // ### END SOLUTION\n}" };
  assert.deepEqual(stripSolutions(code, "c"), { source: "function exercise3(): number {\n    return unanswered(3); // exercise 3: write your answer here, in place of this line\n}", regions: 1 });
  assert.throws(() => stripSolutions({ cell_type: "code", source: "// ### BEGIN SOLUTION\nx\n// ### END SOLUTION" }, "cell 9"), /cell 9: .*function named exerciseN/);
  assert.throws(() => stripSolutions({ cell_type: "markdown", source: "### BEGIN SOLUTION\nanswer" }, "cell 2"), /without END SOLUTION/);
  assert.deepEqual(stripSolutions({ cell_type: "markdown", source: "**Your explanation.**\n\n### BEGIN SOLUTION\nmodel answer\n### END SOLUTION" }, "m").source, "**Your explanation.**\n\n*Write your explanation here, quoting the numbers that the cells above printed.*");
});

test("the student version runs to its first exercise and stops there with a message, not a stack trace", { skip: e2eSkip }, () => {
  const out = mkdtempSync(path.join(tmpdir(), "mi-student-"));
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "reproduce.js"), "--no-build", STUDENT, "--out", out], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 1, r.stderr);
  const executed = JSON.parse(readFileSync(path.join(out, "12-coursework.ipynb"), "utf8")) as { cells: (NotebookCell & { outputs?: { output_type: string; name?: string; text?: string[] }[] })[] };
  const stopped = executed.cells.findIndex((c) => (c.outputs ?? []).some((o) => o.name === "stderr" || o.output_type === "error"));
  assert.match(cellText(executed.cells[stopped]), /function exercise1\b/, "it stops at exercise 1's answer cell");
  const message = (executed.cells[stopped].outputs ?? []).filter((o) => o.name === "stderr").map((o) => (o.text ?? []).join("")).join("");
  assert.equal(message.trim(), 'exercise 1: write your answer here (replace the line that calls unanswered in the "your answer" cell), then run the cell again.');
  assert.ok(executed.cells.slice(0, stopped).some((c) => (c.outputs ?? []).some((o) => (o.text ?? []).join("").includes("baseline medians"))), "the cells before it ran");
  assert.ok(executed.cells.slice(stopped + 1).every((c) => (c.outputs ?? []).length === 0), "nothing after it ran");
});

/**
 * A notebook's code cells as one strict TypeScript module: imports merged per module (the kernel allows importing a
 * name again in a later cell, a module does not) and pointed at src/.
 */
function notebookAsModule(file: string): string {
  const values = new Map<string, Set<string>>();
  const types = new Map<string, Set<string>>();
  const body: string[] = [];
  for (const c of notebookCells(file)) {
    if (c.cell_type !== "code") continue;
    body.push(cellText(c).replace(/import (type )?\{([^}]*)\} from "([^"]+)";\n?/g, (_m, type: string | undefined, names: string, mod: string) => {
      const into = type ? types : values;
      if (!into.has(mod)) into.set(mod, new Set());
      for (const n of names.split(",").map((x) => x.trim()).filter(Boolean)) into.get(mod)!.add(n);
      return "";
    }));
  }
  const from = (mod: string) => (mod === "mi-identifiability" ? path.join(root, "src", "index") : mod);
  const lines = [...values].map(([mod, names]) => `import { ${[...names].join(", ")} } from ${JSON.stringify(from(mod))};`);
  lines.push(...[...types].map(([mod, names]) => `import type { ${[...names].join(", ")} } from ${JSON.stringify(from(mod))};`));
  return [...lines, ...body, "export {};", ""].join("\n");
}

test("the code of notebooks 12, 13, 13b and 18 compiles as one strict TypeScript file (what a student could paste)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mi-strict-nb-"));
  const names = ["12-coursework-instructor", "13-equivalence", "13b-equivalence-ablations", "18-findings"];
  const files = names.map((n) => {
    const f = path.join(dir, `${n}.ts`);
    writeFileSync(f, notebookAsModule(path.join(root, "notebooks", `${n}.ipynb`)));
    return f;
  });
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "node", "--skipLibCheck", "--esModuleInterop", "--types", "node", ...files], { cwd: root, encoding: "utf8" });
  // tsc prints paths relative to the working directory; errors in src/ (others' work in progress) are not this test's
  const ours = r.stdout.split("\n").filter((l) => l.includes(path.basename(dir)));
  assert.ok(r.status === 0 || r.stdout.includes("error TS"), r.stderr);
  assert.deepEqual(ours, [], "type errors in the notebooks' code");
});
