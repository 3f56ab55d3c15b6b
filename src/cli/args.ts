import * as fs from "node:fs";
import * as path from "node:path";
import { ModelFile, modelFromJson } from "../model";

/**
 * A small, strict option parser shared by the commands: `--name value`, `--name=value`, boolean `--flag`,
 * repeated values (`--models a.json b.json`). Unknown options are errors that list the valid ones.
 */
export interface OptionSpec {
  /** "string" (one value), "strings" (one or more values), "number", "boolean". */
  type: "string" | "strings" | "number" | "boolean";
  default?: unknown;
  /** Allowed values (for string options). */
  choices?: readonly string[];
  /** A removed option: using it is an error with this text (what replaced it). */
  removed?: string;
}

export type Parsed = { _: string[] } & Record<string, any>;

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>, command: string): Parsed {
  const out: Parsed = { _: [] };
  for (const [k, s] of Object.entries(spec)) if (s.default !== undefined) out[camel(k)] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      out._.push(arg);
      continue;
    }
    const [name, value] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const s = spec[name];
    if (!s) throw new Error(`${command}: unknown option --${name}. Valid options: ${Object.keys(spec).filter((k) => !spec[k].removed).map((k) => "--" + k).join(", ")}.`);
    if (s.removed) throw new Error(`${command}: --${name} was removed: ${s.removed}`);
    const key = camel(name);
    if (s.type === "boolean") {
      out[key] = value === undefined ? true : !["false", "0", "no"].includes(value);
      continue;
    }
    const values: string[] = [];
    if (value !== undefined) values.push(value);
    else
      while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
        values.push(argv[++i]);
        if (s.type !== "strings") break;
      }
    if (values.length === 0) throw new Error(`${command}: option --${name} needs a value.`);
    if (s.type === "number") {
      const v = Number(values[0]);
      if (!Number.isFinite(v)) throw new Error(`${command}: --${name} must be a number, got "${values[0]}".`);
      out[key] = v;
    } else {
      if (s.choices) for (const v of values) if (!s.choices.includes(v)) throw new Error(`${command}: --${name} must be one of ${s.choices.join(", ")}, got "${v}".`);
      out[key] = s.type === "strings" ? values : values[0];
    }
  }
  return out;
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** "3,3" or "3 3" → [3, 3], with an error naming the option. */
export function parseIntList(v: string | string[], option: string): number[] {
  const parts = (Array.isArray(v) ? v.join(",") : v).split(/[,\s]+/).filter(Boolean);
  const nums = parts.map(Number);
  if (nums.length === 0 || nums.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error(`--${option} must be a list of positive integers like 3,3; got "${Array.isArray(v) ? v.join(" ") : v}".`);
  return nums;
}

/** Reads a model JSON named on the command line, with errors that name the command, the file and the problem. */
export function readModelFile(file: string | undefined, command: string, opts: { gates?: string[] } = {}): ModelFile {
  if (!file) throw new Error(`${command}: --model FILE is required (a model JSON written by train, or data/reference/xor_mlp_meloux2025.json).`);
  if (!fs.existsSync(file)) throw new Error(`${command}: model file ${file} does not exist.`);
  if (fs.statSync(file).isDirectory()) throw new Error(`${command}: --model ${file} is a directory; give a model JSON file (e.g. ${file.replace(/\/$/, "")}/<name>.json).`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${command}: ${file} is not valid JSON (${(e as Error).message}).`, { cause: e });
  }
  try {
    return modelFromJson(json, opts);
  } catch (e) {
    throw new Error(`${command}: ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Where a command writes a file named by --out: the path itself, or DIR/<defaultName> when it is an existing
 * directory or ends with "/". Checked before any work: a parent that is a file is an error naming the option.
 */
export function resolveOutFile(out: string | undefined, defaultPath: string, command: string, option = "--out"): string {
  let file = out ?? defaultPath;
  if (out !== undefined && (out.endsWith("/") || (fs.existsSync(out) && fs.statSync(out).isDirectory()))) file = path.join(out, path.basename(defaultPath));
  let dir = path.dirname(path.resolve(file));
  while (!fs.existsSync(dir)) dir = path.dirname(dir);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${command}: ${option} ${out ?? file}: ${dir} is a file, not a directory; choose another ${option}.`);
  return file;
}

/** Checks, before any work, that an output folder named by --out can be one (not an existing file, nor under one). */
export function checkOutDir(dir: string, command: string, option = "--out"): void {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new Error(`${command}: ${option} ${dir} is a file; it must be a folder (existing or new).`);
  let parent = path.dirname(path.resolve(dir));
  while (!fs.existsSync(parent)) parent = path.dirname(parent);
  if (!fs.statSync(parent).isDirectory()) throw new Error(`${command}: ${option} ${dir}: ${parent} is a file, not a folder; choose another ${option}.`);
}

/** "1 value", "2 values". */
export function plural(n: number, word: string, many = word + "s"): string {
  return `${n} ${n === 1 ? word : many}`;
}
