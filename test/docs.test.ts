// The repository explains itself: every "SPEC n.m" / "EQUIVALENCE n.m" citation in code, notebooks and documents
// names a heading of docs/reference-semantics.md or docs/equivalence-design.md, every relative markdown link and
// anchor of the documents resolves, and every repository path the documents name in backticks exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
/** Where citations may appear (directories are walked; JSON data files are not read). */
const CITING = ["src", "notebooks", "test", "bench", "scripts", "docs", "README.md", "ARCHITECTURE.md", "CONTRIBUTING.md"];
const CITING_EXTENSIONS = new Set([".ts", ".js", ".ipynb", ".md", ".py"]);
/** Documents whose links and backticked paths are checked. */
const DOCUMENTS = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", ...mdFiles("docs")];

type Kind = "SPEC" | "EQUIVALENCE";
interface Citation { kind: Kind; section: string; text: string }

/**
 * Citations in a text. A citation is the word SPEC or EQUIVALENCE, a section number ("4", "4.3") and optionally more
 * numbers joined by "-", "–" or "/" (ranges and alternatives: both ends are checked) or by ", " when the next one
 * has a dot ("SPEC 3.3, 14.16"); a comma followed by a plain integer is prose, not a section.
 */
export function findCitations(text: string): Citation[] {
  const out: Citation[] = [];
  const re = /\b(SPEC|EQUIVALENCE)\s+§?(\d+(?:\.\d+)?)((?:\s*[-–/]\s*\d+(?:\.\d+)?|,\s*\d+\.\d+)*)/g;
  for (const m of text.matchAll(re)) {
    const kind = m[1] as Kind;
    const sections = [m[2], ...(m[3].match(/\d+(?:\.\d+)?/g) ?? [])];
    for (const section of sections) out.push({ kind, section, text: m[0] });
  }
  return out;
}

/** The section headings of a document: lines such as "### SPEC 4.3 — Enumeration order". */
export function findSectionHeadings(markdown: string): { kind: Kind; section: string }[] {
  const out: { kind: Kind; section: string }[] = [];
  for (const line of withoutFencedCode(markdown).split("\n")) {
    const m = /^#{1,6} (SPEC|EQUIVALENCE) (\d+(?:\.\d+)?) — \S/.exec(line);
    if (m) out.push({ kind: m[1] as Kind, section: m[2] });
  }
  return out;
}

/** GitHub's anchor of a heading: lower case, punctuation removed, spaces to hyphens, "-1", "-2" for repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFencedCode(markdown).split("\n")) {
    const m = /^#{1,6} (.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Relative link targets of a markdown text, outside code (http(s), mailto and the like are skipped). */
export function relativeLinks(markdown: string): string[] {
  const prose = withoutFencedCode(markdown).replace(/`[^`\n]*`/g, "");
  const out: string[] = [];
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) out.push(m[1]);
  }
  return out;
}

/** Repository paths written in backticks in prose (`src/model/`, `test/fixtures/x.py`); braces are expanded. */
export function backtickedPaths(markdown: string): string[] {
  const out: string[] = [];
  const prose = withoutFencedCode(markdown);
  for (const m of prose.matchAll(/`((?:src|test|bench|notebooks|scripts|docs|kernel|data\/reference)\/[^`\s]*)`/g)) {
    const p = m[1];
    if (/[*<>]|\b[A-Z]{2,}\b|\.\.\.|…/.test(p)) continue; // patterns and placeholders, not paths
    out.push(...expandBraces(p));
  }
  return out;
}

function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1].split(",").flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}

function withoutFencedCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

function mdFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs).filter((f) => f.endsWith(".md")).sort().map((f) => path.join(dir, f));
}

function walk(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.name === "node_modules" || e.name.startsWith(".") ? [] : e.isDirectory() ? walk(path.join(rel, e.name)) : CITING_EXTENSIONS.has(path.extname(e.name)) ? [path.join(rel, e.name)] : [],
  );
}

function read(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), "utf8");
}

function allHeadings(): Map<string, string> {
  const where = new Map<string, string>();
  for (const doc of mdFiles("docs")) {
    for (const h of findSectionHeadings(read(doc))) {
      const key = `${h.kind} ${h.section}`;
      assert.ok(!where.has(key), `${key} is a heading of both ${where.get(key)} and ${doc}; keep one`);
      where.set(key, doc);
    }
  }
  return where;
}

/** Citations that name no heading, as "file:line: SPEC n.m (in "…")". */
function unresolved(files: readonly string[], headings: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const file of files) {
    read(file).split("\n").forEach((line, i) => {
      for (const c of findCitations(line)) {
        if (!headings.has(`${c.kind} ${c.section}`)) bad.push(`${file}:${i + 1}: ${c.kind} ${c.section} (in "${c.text}")`);
      }
    });
  }
  return bad;
}

// Made-up citations are assembled at run time so this file's own text carries none.
const S = "SP" + "EC";
const E = "EQUIVA" + "LENCE";

test("the citation finder reads single sections, ranges, alternatives and lists, and nothing else", () => {
  const sections = (t: string) => findCitations(t).map((c) => `${c.kind} ${c.section}`);
  assert.deepEqual(sections(`as ${S} 4.3 says`), [`${S} 4.3`]);
  assert.deepEqual(sections(`(${S} 5, multiplicities)`), [`${S} 5`]);
  assert.deepEqual(sections(`${S} 6-7 and ${S} 3.2–3.3`), [`${S} 6`, `${S} 7`, `${S} 3.2`, `${S} 3.3`]);
  assert.deepEqual(sections(`${S} 4.3/14.4 and ${S} 3.3, 14.16.`), [`${S} 4.3`, `${S} 14.4`, `${S} 3.3`, `${S} 14.16`]);
  assert.deepEqual(sections(`${S} 8.4, 100 seeds`), [`${S} 8.4`]);
  assert.deepEqual(sections(`${E} 6.4, [INF]`), [`${E} 6.4`]);
  assert.deepEqual(sections(`the ${S}'s strings; ${S}_DIR; SPECIAL 4`), []);
});

test("the checker rejects a made-up citation and accepts a real one", () => {
  const headings = allHeadings();
  const tmp = path.join("test", `.docs-check-${process.pid}.md`);
  fs.writeFileSync(path.join(ROOT, tmp), `real: ${S} 4.3 and ${E} 6.4\nmade up: ${S} 99.1, ${S} 4.9 and ${E} 3.7\n`);
  try {
    assert.deepEqual(unresolved([tmp], headings), [
      `${tmp}:2: ${S} 99.1 (in "${S} 99.1")`,
      `${tmp}:2: ${S} 4.9 (in "${S} 4.9")`,
      `${tmp}:2: ${E} 3.7 (in "${E} 3.7")`,
    ]);
  } finally {
    fs.rmSync(path.join(ROOT, tmp));
  }
});

test("the docs carry every numbered section: SPEC 1–14 and 16 with their subsections, EQUIVALENCE 0–7", () => {
  const headings = allHeadings();
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16]) assert.ok(headings.has(`SPEC ${n}`), `SPEC ${n} missing`);
  for (let n = 0; n <= 7; n++) assert.ok(headings.has(`EQUIVALENCE ${n}`), `EQUIVALENCE ${n} missing`);
  const counts: [string, number][] = [["SPEC 2", 3], ["SPEC 3", 4], ["SPEC 4", 4], ["SPEC 6", 5], ["SPEC 8", 4], ["SPEC 9", 2], ["SPEC 10", 2], ["SPEC 14", 20], ["SPEC 16", 8],
    ["EQUIVALENCE 2", 5], ["EQUIVALENCE 3", 3], ["EQUIVALENCE 4", 4], ["EQUIVALENCE 6", 11]];
  for (const [parent, n] of counts) {
    for (let i = 1; i <= n; i++) assert.ok(headings.has(`${parent}.${i}`), `${parent}.${i} missing`);
    assert.ok(!headings.has(`${parent}.${n + 1}`), `${parent}.${n + 1} is not a section of the reference`);
  }
  for (const key of headings.keys()) {
    const parent = key.replace(/\.\d+$/, "");
    assert.ok(headings.has(parent), `${key} has no parent heading ${parent}`);
    const doc = key.startsWith("SPEC") ? "docs/reference-semantics.md" : "docs/equivalence-design.md";
    assert.equal(headings.get(key), doc, `${key} belongs in ${doc}`);
  }
});

test("every SPEC / EQUIVALENCE citation in the repository resolves to a heading under docs/", () => {
  const headings = allHeadings();
  const files = CITING.flatMap(walk);
  assert.ok(files.some((f) => f.startsWith("src")) && files.some((f) => f.endsWith(".ipynb")), "no source or notebook found");
  const bad = unresolved(files, headings);
  assert.deepEqual(bad, [], `unresolved citations (add the heading under docs/ or fix the number):\n${bad.join("\n")}`);
  const cited = files.reduce((n, f) => n + findCitations(read(f)).length, 0);
  assert.ok(cited > 100, `only ${cited} citations found: the finder is broken`);
});

test("the repository does not point at the reference documents it replaces", () => {
  const bad = CITING.flatMap(walk).filter((f) => /shared\/reference|\bSPEC\.md\b|\bEQUIVALENCE\.md\b/.test(read(f)));
  assert.deepEqual(bad, [], "cite docs/reference-semantics.md or docs/equivalence-design.md instead");
});

test("every relative link and anchor in README, ARCHITECTURE, CONTRIBUTING and docs/ resolves", () => {
  assert.ok(DOCUMENTS.length >= 8, `documents missing: ${DOCUMENTS.join(", ")}`);
  const bad: string[] = [];
  let links = 0;
  for (const doc of DOCUMENTS) {
    for (const link of relativeLinks(read(doc))) {
      links++;
      const [target, anchor] = link.split("#");
      const file = target ? path.normalize(path.join(path.dirname(doc), decodeURIComponent(target))) : doc;
      if (!fs.existsSync(path.join(ROOT, file))) { bad.push(`${doc}: ${link} (no file ${file})`); continue; }
      if (anchor && file.endsWith(".md") && !headingAnchors(read(file)).has(anchor)) bad.push(`${doc}: ${link} (no heading #${anchor} in ${file})`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(links >= 10, `only ${links} links found: the link finder is broken`);
});

test("the link and anchor finders on a synthetic document", () => {
  const md = "# SPEC 13 — Runtime and complexity\n## A `code` heading!\n## A `code` heading!\n" +
    "[a](docs/x.md#y) [b](https://e.org) `[c](not/a/link.md)`\n```\n[d](in/code.md)\n```\n[e](#spec-13--runtime-and-complexity)\n";
  assert.deepEqual(relativeLinks(md), ["docs/x.md#y", "#spec-13--runtime-and-complexity"]);
  assert.deepEqual([...headingAnchors(md)], ["spec-13--runtime-and-complexity", "a-code-heading", "a-code-heading-1"]);
  assert.deepEqual(backtickedPaths("`src/model/{types,io}.ts`, `test/*.test.ts`, `notebooks/NN-name.ipynb`, `x/y`"), ["src/model/types.ts", "src/model/io.ts"]);
});

test("every repository path named in backticks in README, ARCHITECTURE, CONTRIBUTING and docs/ exists", () => {
  const bad: string[] = [];
  for (const doc of DOCUMENTS) for (const p of backtickedPaths(read(doc))) if (!fs.existsSync(path.join(ROOT, p))) bad.push(`${doc}: ${p}`);
  assert.deepEqual(bad, [], "documented paths that do not exist (the text is out of date)");
});

/**
 * ARCHITECTURE.md's pipeline table: per row (stage), the files of its "files" and "figures" columns (a folder ends
 * with "/").
 */
function architectureStages(markdown: string): { stage: string; paths: string[] }[] {
  const table = markdown.split(/^## The pipeline\s*$/m)[1]?.split(/^## /m)[0] ?? "";
  const rows = table.split("\n").filter((l) => l.startsWith("|") && !/^\|\s*(stage|---)/.test(l));
  return rows.map((l) => {
    const cells = l.split("|").map((c) => c.trim());
    return { stage: cells[1], paths: backtickedPaths(`${cells[2]} ${cells[5]}`).map((p) => (fs.existsSync(path.join(ROOT, p)) && fs.statSync(path.join(ROOT, p)).isDirectory() ? p.replace(/\/?$/, "/") : p)) };
  });
}

test("ARCHITECTURE.md's pipeline table holds every source file, and no stage imports from a later one", () => {
  const stages = architectureStages(read("ARCHITECTURE.md"));
  assert.ok(stages.length >= 10, `the pipeline table has ${stages.length} rows: is its heading "## The pipeline"?`);
  const listed = (file: string) => stages.findIndex((s) => s.paths.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p)));
  // A folder's index.ts only re-exports its stage files: it belongs to their stage.
  const stageOf = (file: string) =>
    path.basename(file) !== "index.ts" || listed(file) >= 0 ? listed(file) : Math.max(-1, ...walk(path.dirname(file)).filter((f) => f !== file).map(listed));
  const sources = walk("src").filter((f) => f.endsWith(".ts") && f !== path.join("src", "index.ts"));
  const missing = sources.filter((f) => stageOf(f) < 0);
  assert.deepEqual(missing, [], "source files in no row of ARCHITECTURE.md's table");
  const backwards: string[] = [];
  for (const file of sources) {
    const from = stageOf(file);
    for (const m of read(file).matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) {
      const base = path.join(path.dirname(file), m[1]);
      const target = [`${base}.ts`, path.join(base, "index.ts"), base].find((c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile());
      if (!target) continue;
      const to = stageOf(target);
      if (to > from) backwards.push(`${file} (${stages[from].stage}) imports ${target} (${stages[to].stage})`);
    }
  }
  assert.deepEqual(backwards, [], "imports against the pipeline order: move the code or the row");
});

