#!/usr/bin/env node
// Writes the student version of the coursework, notebooks/12-coursework.ipynb, from the instructor version
// notebooks/12-coursework-instructor.ipynb: every solution region (nbgrader's markers: a line holding
// "BEGIN SOLUTION" to a line holding "END SOLUTION") is replaced by a stub. In a code cell the stub is
// `return unanswered(N);` (N from the cell's `function exerciseN`), which stops the notebook at that exercise with
// a message; in a markdown cell it asks for the student's explanation. The instructor's note becomes a student note.
//
// usage: npm run student-notebook                   (node scripts/student-notebook.js)
//        node scripts/student-notebook.js --check   exit 1 when the committed student version differs
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { normalizeNotebook } = require("./normalize-notebooks");

const root = path.resolve(__dirname, "..");
const INSTRUCTOR = path.join(root, "notebooks", "12-coursework-instructor.ipynb");
const STUDENT = path.join(root, "notebooks", "12-coursework.ipynb");
const INSTRUCTOR_NOTE = "**Instructor version.**";
const STUDENT_NOTE =
  "**Student version**, generated from `notebooks/12-coursework-instructor.ipynb` by `npm run student-notebook`. Work in a copy of this file (File → Save As…), so that regenerating it does not overwrite your answers.";
const EXPLANATION_STUB = "*Write your explanation here, quoting the numbers that the cells above printed.*";

const joined = (s) => (Array.isArray(s) ? s.join("") : s || "");

/** A cell's source with its solution regions replaced by stubs (`where` names the cell in errors). */
function stripSolutions(cell, where) {
  const text = joined(cell.source);
  const out = [];
  let inside = false;
  let regions = 0;
  for (const line of text.split("\n")) {
    if (line.includes("BEGIN SOLUTION")) {
      if (inside) throw new Error(`${where}: BEGIN SOLUTION inside a solution region`);
      inside = true;
      regions++;
      if (cell.cell_type === "code") {
        const m = /function exercise(\d+)\b/.exec(text);
        if (!m) throw new Error(`${where}: a code solution region must sit in a function named exerciseN (the stub names the exercise)`);
        out.push(`${/^\s*/.exec(line)[0]}return unanswered(${m[1]}); // exercise ${m[1]}: write your answer here, in place of this line`);
      } else out.push(EXPLANATION_STUB);
      continue;
    }
    if (line.includes("END SOLUTION")) {
      if (!inside) throw new Error(`${where}: END SOLUTION without BEGIN SOLUTION`);
      inside = false;
      continue;
    }
    if (!inside) out.push(line);
  }
  if (inside) throw new Error(`${where}: BEGIN SOLUTION without END SOLUTION`);
  return { source: out.join("\n"), regions };
}

/** The student version's text (normalized) made from the instructor version's text. */
function studentNotebook(instructorText) {
  const nb = JSON.parse(instructorText);
  let regions = 0;
  nb.cells = nb.cells.map((cell, i) => {
    const text = joined(cell.source);
    if (cell.cell_type === "markdown" && text.startsWith(INSTRUCTOR_NOTE)) return { ...cell, source: STUDENT_NOTE };
    if (!text.includes("BEGIN SOLUTION") && !text.includes("END SOLUTION")) return cell;
    const stripped = stripSolutions(cell, `cell ${i + 1}`);
    regions += stripped.regions;
    return { ...cell, source: stripped.source };
  });
  if (regions === 0) throw new Error("student-notebook: the instructor version has no solution region (### BEGIN SOLUTION … ### END SOLUTION)");
  return normalizeNotebook(JSON.stringify(nb), "12-coursework.ipynb");
}

function main(argv) {
  const bad = argv.filter((a) => a !== "--check");
  if (bad.length) throw new Error(`student-notebook: unknown argument ${bad.join(", ")} (options: --check)`);
  const text = studentNotebook(fs.readFileSync(INSTRUCTOR, "utf8"));
  const rel = path.relative(process.cwd(), STUDENT) || STUDENT;
  if (argv.includes("--check")) {
    const same = fs.existsSync(STUDENT) && fs.readFileSync(STUDENT, "utf8") === text;
    if (!same) console.error(`${rel} differs from the instructor version with its solutions removed: run \`npm run student-notebook\``);
    return same ? 0 : 1;
  }
  fs.writeFileSync(STUDENT, text);
  console.error(`wrote ${rel}`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
  }
}

module.exports = { studentNotebook, stripSolutions, INSTRUCTOR, STUDENT };
