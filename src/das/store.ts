/** Reading cached DAS results (JSONL, one record per line), with errors naming the file and the line. */
import * as fs from "node:fs";
import { InputError } from "../errors";
import type { DasRecord } from "./study";
import type { RandomControlRow } from "./random-control";

function readJsonl<T>(file: string, what: string, check: (x: any) => boolean): T[] {
  if (!fs.existsSync(file)) throw new InputError(`${what}: ${file} does not exist.`);
  return fs.readFileSync(file, "utf8").split("\n").flatMap((line, i) => {
    if (!line.trim()) return [];
    let x: unknown;
    try {
      x = JSON.parse(line);
    } catch (e) {
      throw new InputError(`${what}: ${file} line ${i + 1} is not JSON (${(e as Error).message}).`, { cause: e });
    }
    if (!check(x)) throw new InputError(`${what}: ${file} line ${i + 1} is not a ${what} line.`);
    return [x as T];
  });
}

/** DAS verdicts written by `das --study`. */
export function readDasRecords(file: string): DasRecord[] {
  return readJsonl<DasRecord>(file, "DAS records", (x) => x && typeof x.key === "string" && Array.isArray(x.das_iia) && Array.isArray(x.neuron_iia));
}

/** Rows written by `das --random-control`. */
export function readRandomControlRows(file: string): RandomControlRow[] {
  return readJsonl<RandomControlRow>(file, "random-control rows", (x) => x && (x.map === "linear" || x.map === "nonlinear") && typeof x.iia === "number");
}
