import { InputError } from "../errors";
import { fillCountedInterpretations, needsInterpretations } from "../experiments/fill";
import { readRecords } from "../experiments/store";
import { formatDuration } from "../display/progress";
import { OptionSpec, parseArgs, plural } from "./args";

export const help = `Usage: mi-identifiability fill-interpretations RECORDS --out OUT.jsonl [--sizes 4,6] [--resume]

Sums the interpretations of the models whose perfect circuits were counted, not listed (over --max-candidates a
study counts them exactly and leaves the interpretations null). Each such model is retrained from its record
(checked against the record's epochs and loss), its circuits counted again (checked against the record), and the
groundings of every perfect circuit summed exactly, without listing them (sumCircuitInterpretations). The filled
record gains interpretations_total and interpretations_exact (the exact integer); the others are copied unchanged.

RECORDS is a results folder or a .jsonl file (compact records work: the models are retrained). OUT gets every
record, in order, one line at a time: an interrupted fill loses only the model in progress; --resume goes on.

Time per model: about 7 s for [2,6,6,1] with the reference's sparsity cut, 37 s for [2,5,5,1] without it, about
6 min with the full node set as well (2 slow cores).

Options:
  --out FILE     the filled records (JSON Lines)
  --sizes K,...  fill only these hidden widths (the rest are copied)
  --resume       continue a fill that stopped
  --budget-seconds S
                 stop filling after S seconds; the rest is copied unfilled (OUT is complete) and a fill of OUT
                 later fills what is left`;

const spec: Record<string, OptionSpec> = {
  out: { type: "string" },
  sizes: { type: "strings" },
  resume: { type: "boolean" },
  "budget-seconds": { type: "number" },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "fill-interpretations");
  if (a._.length !== 1) throw new InputError("fill-interpretations: name one results folder or .jsonl file, e.g. `mi-identifiability fill-interpretations notebooks/cached-results/network-size-k2-6-reference.jsonl --out filled.jsonl`.");
  if (!a.out) throw new InputError("fill-interpretations: --out FILE.jsonl is required (the filled records go there).");
  const sizes = a.sizes ? (a.sizes as string[]).flatMap((s) => s.split(/[,\s]+/)).filter(Boolean).map((s) => {
    const k = Number(s);
    if (!Number.isInteger(k) || k < 1) throw new InputError(`fill-interpretations: --sizes takes hidden widths such as 4,6; got "${s}".`);
    return k;
  }) : undefined;
  const records = readRecords(a._[0]);
  const todo = records.filter((r) => needsInterpretations(r) && (!sizes || sizes.includes(r.sizes))).length;
  process.stderr.write(`fill-interpretations: ${plural(records.length, "record")}, ${plural(todo, "model")} to fill → ${a.out}\n`);
  const start = Date.now();
  const r = fillCountedInterpretations({
    records,
    out: a.out,
    resume: !!a.resume,
    sizes,
    budgetSeconds: a.budgetSeconds,
    onRecord: (rec, filled, done, total, ms) => {
      if (filled) process.stderr.write(`  ${done}/${total} ${rec.key}: ${rec.interpretations_exact![0].length > 15 ? Number(rec.interpretations_exact![0]).toExponential(3) : rec.interpretations_exact![0]} interpretations over ${rec.perfect_circuits![0]} circuits, ${formatDuration(ms)}\n`);
    },
  });
  process.stderr.write(`${plural(r.filled, "model")} filled, ${formatDuration(Date.now() - start)}: ${a.out}\n`);
  if (r.leftNull) process.stderr.write(`${plural(r.leftNull, "model")} left unfilled (--budget-seconds); fill them later with \`mi-identifiability fill-interpretations ${a.out} --out OTHER.jsonl\`.\n`);
  return 0;
}
