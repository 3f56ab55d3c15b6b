/**
 * JSON Lines written one record at a time: a run killed mid-write leaves a torn last line, which is dropped (resume
 * redoes that record); an unparsable line before the end means the file is damaged, and is an error naming the line.
 */
import { InputError } from "./errors";

/** Parses `text` (the contents of `file`) line by line; `read` turns each parsed line into a record and may throw. */
export function parseJsonLines<T>(text: string, file: string, read: (value: unknown) => T = (v) => v as T): T[] {
  const lines = text.split("\n");
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(read(JSON.parse(line)));
    } catch (e) {
      const last = lines.slice(i + 1).every((l) => !l.trim());
      if (!last) throw new InputError(`${file}: line ${i + 1} is not a valid record (${(e as Error).message}); the file is damaged before its last line (fix or remove the line).`, { cause: e });
    }
  });
  return out;
}

/** One record per key, the last line of a key winning (a resumed run may rewrite one). */
export function lastPerKey<T extends { key: string }>(records: readonly T[]): T[] {
  return [...new Map(records.map((r) => [r.key, r])).values()];
}
