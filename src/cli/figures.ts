import * as fs from "node:fs";
import * as path from "node:path";
import { escapeHtml, figureToHtml, tableToHtml, tableToText, PlotlySource } from "../display/html";
import type { Figure } from "../figures/figure";
import { multiplicityFigure, networkSizeComparisonFigure, perModelCountsFigure } from "../figures/experiments";
import { StudyRecord, csvCell, settingsKey } from "../analysis";
import { RUN_JSON, readRecords, readRunInfo } from "../experiments/store";
import { GroupKey, STUDIES } from "../experiments/studies";
import { GROUP_KEYS, networkSizeComparison, summarizeRecords } from "../experiments/summary";
import { OptionSpec, checkOutDir, parseArgs } from "./args";

export const help = `Usage: mi-identifiability figures DIR [DIR...] [--by KEY] [--out DIR]

Reads the records of one or more \`run\` folders and writes, into --out (default: the first DIR):
  figures.html   self-contained page (plotly.js inlined, works offline): explanations per model as box plots
                 against what the study varies (every accepted model, zero counts included on a symlog axis; each
                 box's median is the summary table's), per-model counts, the network-size comparison with the
                 paper's medians when k = 2..5 are present, and the summary table
  summary.csv    the summary table (one row per group: models, accepted, medians and means of the counts)
and prints the summary table. Several folders are pooled, e.g. \`figures results/basic results/noise\` compares
clean and noisy training.

Options:
  --by KEY   grouping: ${GROUP_KEYS.join(", ")} (default: what the study varies; with several folders, the
             setting that differs between them)
  --out DIR  where to write (default: the first DIR)`;

const spec: Record<string, OptionSpec> = {
  by: { type: "string", choices: [...GROUP_KEYS] },
  out: { type: "string" },
};

/** What to group by: the study's own key, or for pooled folders the setting that tells them apart. */
export function defaultGrouping(dirs: string[], records: readonly StudyRecord[]): GroupKey {
  const studies = dirs.map((d) => {
    const f = path.join(d, RUN_JSON);
    return fs.existsSync(f) ? readRunInfo(f).study : undefined;
  });
  if (dirs.length === 1 && studies[0] && STUDIES[studies[0]]) return STUDIES[studies[0]].groupBy;
  const distinct = (f: (r: StudyRecord) => unknown) => new Set(records.map((r) => JSON.stringify(f(r)))).size > 1;
  if (distinct((r) => settingsKey(r.settings))) return "settings";
  if (distinct((r) => r.noise_std)) return "noise";
  if (distinct((r) => r.weights !== null)) return "skewed";
  if (distinct((r) => r.sizes)) return "size";
  if (distinct((r) => r.n_gates)) return "n_gates";
  if (distinct((r) => r.loss_target)) return "loss_target";
  if (distinct((r) => r.gates)) return "gate";
  return "none";
}

function plotlyInline(): PlotlySource {
  const file = require.resolve("plotly.js-dist-min/plotly.min.js");
  const version = (require("plotly.js-dist-min/package.json") as { version: string }).version;
  return { kind: "inline", code: fs.readFileSync(file, "utf8"), version };
}

/** The self-contained HTML page of a study's figures and summary table. */
export function figuresPage(title: string, figures: { heading: string; fig: Figure }[], tables: { heading: string; html: string }[], plotly: PlotlySource): string {
  const parts = figures.map((f, i) => `<h2>${escapeHtml(f.heading)}</h2>\n${figureToHtml(f.fig, { divId: `fig-${i}`, plotly: i === 0 ? plotly : undefined })}`);
  const tbls = tables.map((t) => `<h2>${escapeHtml(t.heading)}</h2>\n${t.html}`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em} table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:2px 8px}</style>
</head><body><h1>${escapeHtml(title)}</h1>\n${[...parts, ...tbls].join("\n")}\n</body></html>\n`;
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "figures");
  const dirs: string[] = a._;
  if (dirs.length === 0) throw new Error("figures: give the results folder(s) written by `mi-identifiability run` (e.g. results/basic).");
  const records = dirs.flatMap((d) => readRecords(d));
  const by: GroupKey = a.by ?? defaultGrouping(dirs, records);
  const out = a.out ?? dirs[0];
  checkOutDir(out, "figures");
  fs.mkdirSync(out, { recursive: true });
  const summary = summarizeRecords(records, by);
  const figures: { heading: string; fig: Figure }[] = [];
  if (records.some((r) => r.accepted)) {
    figures.push({ heading: "Explanations per model", fig: multiplicityFigure(records, by) });
    figures.push({ heading: "Per-model counts", fig: perModelCountsFigure(records) });
  }
  const tables = [{ heading: `Summary (grouped by ${by})`, html: tableToHtml(summary as unknown as Record<string, unknown>[], { limit: 1000 }) }];
  const sizes = new Set(records.filter((r) => r.accepted).map((r) => r.sizes));
  if ([2, 3, 4, 5].filter((k) => sizes.has(k)).length >= 2) {
    figures.push({ heading: "Network size vs the paper", fig: networkSizeComparisonFigure(records) });
    tables.push({ heading: "Network size vs the paper's medians", html: tableToHtml(networkSizeComparison(records) as unknown as Record<string, unknown>[]) });
  }
  const title = `Study results: ${dirs.join(", ")}`;
  fs.writeFileSync(path.join(out, "figures.html"), figuresPage(title, figures, tables, plotlyInline()));
  const cols = Object.keys(summary[0] ?? {});
  const csv = [cols.join(","), ...summary.map((r) => cols.map((c) => csvCell(c, (r as unknown as Record<string, unknown>)[c])).join(","))].join("\n") + "\n";
  fs.writeFileSync(path.join(out, "summary.csv"), csv);
  console.log(tableToText(summary as unknown as Record<string, unknown>[], { limit: 1000 }));
  console.error(`${records.length} records (${records.filter((r) => r.accepted).length} accepted), grouped by ${by}: wrote ${path.join(out, "figures.html")} and ${path.join(out, "summary.csv")}`);
  return 0;
}
