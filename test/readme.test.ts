// The README runs (doc-tests): every ```bash and ```ts block of README.md is executed, in order, in one scratch
// folder, and what the README states is checked:
// - a bash line `npm run --silent cli -- ARGS` (or `mi-identifiability ARGS`) runs the CLI from the sources
//   (`node --import tsx src/cli.ts ARGS`); any other command is an error unless the block is marked;
// - a ts block runs with tsx, its `from "mi-identifiability"` imports pointed at src/index.ts; a line
//   `EXPRESSION; // → VALUE` asserts that the expression equals VALUE (deep equality after a JSON round trip);
// - a ```text block right after an executed block is an excerpt of that block's output (stdout and stderr): each of
//   its lines occurs in the output, in order, `…` standing for any text;
// - `<!-- no-doctest -->` on the line before a block skips it (installs, long or interactive commands).
// Studies run with --workers 0 here: worker threads run the built dist/, the doc-test runs the sources; the records
// are the same whatever the number of workers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const TSX = require.resolve("tsx", { paths: [ROOT] });
const CLI = path.join(ROOT, "src", "cli.ts");
const NO_DOCTEST = "<!-- no-doctest -->";
const EXECUTED = new Set(["bash", "sh", "ts", "typescript"]);

interface Block { lang: string; code: string; line: number; skip: boolean; expected?: string }

/** The fenced blocks of a markdown text, each with the ```text excerpt that follows it (if any). */
export function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: code block never closed`);
    let before = start - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const block: Block = { lang: open[1], code: body.join("\n"), line: start + 1, skip: before >= 0 && lines[before].trim() === NO_DOCTEST };
    if (block.lang === "text" && blocks.length > 0 && blocks[blocks.length - 1].expected === undefined && EXECUTED.has(blocks[blocks.length - 1].lang)) {
      const prev = blocks[blocks.length - 1];
      const between = lines.slice(prev.line + prev.code.split("\n").length + 1, start).join("").trim();
      if (between === "") { prev.expected = block.code; continue; }
    }
    blocks.push(block);
  }
  return blocks;
}

/** Splits a shell line into words (single and double quotes; no expansions). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "", quote = "", has = false;
  for (const ch of line) {
    if (quote) { if (ch === quote) quote = ""; else cur += ch; continue; }
    if (ch === "'" || ch === '"') { quote = ch; has = true; continue; }
    if (/\s/.test(ch)) { if (has || cur) words.push(cur); cur = ""; has = false; continue; }
    cur += ch;
  }
  if (quote) throw new Error(`unclosed quote in: ${line}`);
  if (has || cur) words.push(cur);
  return words;
}

/** The CLI arguments of one README command line, or an error naming the line. Comments and `\` continuations handled. */
export function cliArgs(command: string): string[] {
  const words = shellWords(command.replace(/\s+#.*$/, ""));
  const prefixes = [["npm", "run", "--silent", "cli", "--"], ["npm", "run", "-s", "cli", "--"], ["npm", "run", "cli", "--"], ["npx", "mi-identifiability"], ["mi-identifiability"]];
  for (const p of prefixes) if (p.every((w, i) => words[i] === w)) return words.slice(p.length);
  throw new Error(`cannot run "${command}": the doc-test runs only the CLI (npm run --silent cli -- ..., mi-identifiability ...); mark the block ${NO_DOCTEST} if it must not run`);
}

function commandLines(code: string): string[] {
  return code.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

/** A ts block as a runnable module: the package import pointed at the sources, `EXPR; // → VALUE` lines as checks. */
export function tsProgram(code: string): string {
  const lines = code.split("\n").map((line) => {
    const m = /^(\s*)(.+?);\s*\/\/\s*→\s*(.+?)\s*$/.exec(line);
    if (!m) return line;
    if (/^(const|let|var|import|return)\b/.test(m[2])) throw new Error(`"// → value" must follow an expression, not a declaration: ${line.trim()}`);
    return `${m[1]}__expect(${m[2]}, ${m[3]}, ${JSON.stringify(m[2])});`;
  });
  const src = lines.join("\n").replace(/from\s+"mi-identifiability"/g, `from ${JSON.stringify(path.join(ROOT, "src", "index.ts"))}`);
  const helper = `import { isDeepStrictEqual as __equal } from "node:util";
function __expect(actual: unknown, expected: unknown, what: string): void {
  const got = actual === undefined ? undefined : JSON.parse(JSON.stringify(actual));
  if (!__equal(got, expected)) throw new Error(\`README: \${what} is \${JSON.stringify(got)}, the README says \${JSON.stringify(expected)}\`);
}
`;
  return helper + src;
}

/** Checks that each line of the excerpt occurs in the output, in order (`…` = any text). Returns the failure or null. */
export function excerptMismatch(excerpt: string, output: string): string | null {
  const out = output.split("\n");
  let at = 0;
  for (const want of excerpt.split("\n").map((l) => l.trim()).filter((l) => l !== "")) {
    const re = new RegExp(want.split("…").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*"));
    const k = out.findIndex((l, i) => i >= at && re.test(l));
    if (k < 0) return `the README shows "${want}" but the output ${at > 0 ? `after line ${at} ` : ""}has no such line`;
    at = k + 1;
  }
  return null;
}

/** Runs a command with stdout and stderr into one file, so the output keeps its real order. */
async function run(args: string[], cwd: string): Promise<{ status: number | null; output: string }> {
  const log = path.join(cwd, `.out-${process.pid}-${++runs}.log`);
  const fd = fs.openSync(log, "w");
  try {
    const child = spawn(process.execPath, ["--import", TSX, ...args], { cwd, stdio: ["ignore", fd, fd], env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
    const status = await new Promise<number | null>((resolve, reject) => { child.on("error", reject); child.on("exit", (code) => resolve(code)); });
    return { status, output: fs.readFileSync(log, "utf8") };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(log, { force: true });
  }
}
let runs = 0;

async function runBlock(block: Block, cwd: string, index: number): Promise<string> {
  if (block.lang === "bash" || block.lang === "sh") {
    let output = "";
    for (const line of commandLines(block.code)) {
      const args = cliArgs(line);
      if (args[0] === "run" && !args.includes("--workers")) args.push("--workers", "0");
      const r = await run([CLI, ...args], cwd);
      output += r.output;
      assert.equal(r.status, 0, `README line ${block.line}: "${line}" exited with ${r.status}:\n${r.output}`);
    }
    return output;
  }
  const file = path.join(cwd, `readme-block-${index}.ts`);
  fs.writeFileSync(file, tsProgram(block.code));
  const r = await run([file], cwd);
  assert.equal(r.status, 0, `README line ${block.line}: the ts block failed:\n${r.output}`);
  return r.output;
}

test("the doc-test reader: blocks, markers, excerpts, commands and checks", () => {
  const md = ["text", NO_DOCTEST, "```bash", "npm install", "```", "", "```bash", "npm run --silent cli -- analyze --model 'a b.json'  # c", "```", "",
    "```text", "out…put", "```", "```ts", "1 + 1; // → 2", "```", "prose", "```text", "not an excerpt", "```"].join("\n");
  const b = readmeBlocks(md);
  assert.deepEqual(b.map((x) => [x.lang, x.skip, x.expected ?? null]), [["bash", true, null], ["bash", false, "out…put"], ["ts", false, null], ["text", false, null]]);
  assert.deepEqual(cliArgs(commandLines(b[1].code)[0]), ["analyze", "--model", "a b.json"]);
  assert.throws(() => cliArgs("npm install"), /cannot run "npm install".*no-doctest/);
  assert.throws(() => tsProgram("const x = 1; // → 1"), /must follow an expression/);
  assert.match(tsProgram(`import { a } from "mi-identifiability";\na(); // → [1, 2]`), /__expect\(a\(\), \[1, 2\], "a\(\)"\);/);
  assert.equal(excerptMismatch("a…c\n  d", "x\nabc\nd"), null);
  assert.match(excerptMismatch("d\nabc", "abc\nd")!, /"abc"/);
});

test("a failing ts block fails the doc-test", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-readme-"));
  try {
    await assert.rejects(runBlock({ lang: "ts", code: "1 + 1; // → 3", line: 1, skip: false }, dir, 0), /1 \+ 1 is 2, the README says 3/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const BLOCKS = readmeBlocks(README);

test("every README code block names its language and is either executed or marked", () => {
  const bad = BLOCKS.filter((b) => b.lang === "").map((b) => `line ${b.line}: a block without language`);
  const other = BLOCKS.filter((b) => !b.skip && b.lang !== "" && b.lang !== "text" && !EXECUTED.has(b.lang)).map((b) => `line ${b.line}: \`\`\`${b.lang} cannot be run; use bash or ts, or mark it ${NO_DOCTEST}`);
  assert.deepEqual([...bad, ...other], []);
  assert.ok(BLOCKS.filter((b) => !b.skip && EXECUTED.has(b.lang)).length >= 8, "fewer executed blocks than expected: is the reader broken?");
});

// Two lanes run side by side: the command-line blocks in order (later commands read the files earlier ones wrote)
// and the library blocks, which are independent of them.
test("every bash and ts block of the README runs and prints what the README says", { concurrency: 2 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-readme-"));
  for (const name of ["data", "notebooks", "node_modules"]) fs.symlinkSync(path.join(ROOT, name), path.join(dir, name));
  const executed = BLOCKS.filter((b) => !b.skip && EXECUTED.has(b.lang));
  const lane = (name: string, blocks: Block[]) =>
    t.test(name, async (tl) => {
      for (const block of blocks) {
        const first = block.code.split("\n").find((l) => l.trim() && !l.startsWith("import")) ?? "";
        await tl.test(`README line ${block.line}: ${first.trim().slice(0, 70)}`, async () => {
          const output = await runBlock(block, dir, block.line);
          if (block.expected !== undefined) {
            const why = excerptMismatch(block.expected, output);
            assert.equal(why, null, `README line ${block.line}: ${why}\n--- output ---\n${output}`);
          }
        });
      }
    });
  try {
    await Promise.all([
      lane("command line", executed.filter((b) => b.lang === "bash" || b.lang === "sh")),
      lane("library", executed.filter((b) => b.lang === "ts" || b.lang === "typescript")),
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
