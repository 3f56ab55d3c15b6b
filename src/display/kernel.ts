/**
 * The thin I/O edge of display: sends MIME bundles to the notebook through tslab, or prints text outside a kernel.
 *
 * tslab's public `display` sends one MIME type per output. Its internal writer (`lastWriteDisplayData` in
 * tslab/dist/jupyter.js, the function it installs for the running cell) sends a whole bundle; we use it and fall back
 * to the public `display.html` (one MIME type) when it cannot be found, and to plain text outside a kernel.
 * tslab is only required when running inside its kernel, so importing the package elsewhere stays cheap and safe.
 */
import type { Figure } from "../figures/figure";
import { figureBundle, plotlyCdnUrl, tableBundle, type MimeBundle, type PlotlySource, type TableInput } from "./html";
import { formatProgressLine, progressHtml, type ProgressState } from "./progress";

/** A display sink: where bundles go. `update` replaces the output with the same displayId (progress). */
export interface DisplaySink {
  kind: "bundle" | "html-only" | "text";
  send(bundle: MimeBundle, displayId?: string, update?: boolean): void;
}

type WriteDisplayData = (data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update?: boolean) => void;
interface TslabJupyterModule {
  lastWriteDisplayData?: WriteDisplayData | null;
}
interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
  raw?(mime: string, payload: string): void;
}
interface TslabPublicModule {
  display?: TslabDisplay;
  newDisplay?: () => TslabDisplay;
}

/** Prints the text/plain part of a bundle (outside a kernel: CLI, tests, scripts). */
export function textSink(write: (s: string) => void = (s) => process.stdout.write(s)): DisplaySink {
  return {
    kind: "text",
    send(bundle) {
      const text = bundle["text/plain"];
      if (typeof text === "string") write(text + "\n");
    },
  };
}

/**
 * Chooses how to reach the notebook from tslab's modules: the internal bundle writer when it is there, else the
 * public one-MIME-type display with the HTML (which draws figures wherever scripts run), else text.
 */
export function sinkFromTslab(jupyter: TslabJupyterModule | undefined, pub: TslabPublicModule | undefined, fallback: DisplaySink = textSink()): DisplaySink {
  if (jupyter && typeof jupyter.lastWriteDisplayData === "function") {
    return {
      kind: "bundle",
      send(bundle, displayId, update) {
        const write = jupyter.lastWriteDisplayData; // tslab swaps it per cell: read it at each send
        if (typeof write !== "function") return fallback.send(bundle, displayId, update);
        write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, !!update);
      },
    };
  }
  if (pub && pub.display && typeof pub.display.html === "function") {
    const displays = new Map<string, TslabDisplay>();
    return {
      kind: "html-only",
      send(bundle, displayId) {
        let target: TslabDisplay = pub.display!;
        if (displayId && typeof pub.newDisplay === "function") {
          if (!displays.has(displayId)) displays.set(displayId, pub.newDisplay());
          target = displays.get(displayId)!;
        }
        const html = bundle["text/html"];
        if (typeof html === "string") target.html(html);
        else if (typeof bundle["text/plain"] === "string") target.text(bundle["text/plain"] as string);
      },
    };
  }
  return fallback;
}

/** True inside a tslab kernel (its executor sets globalThis.__tslab__). */
export function inTslabKernel(): boolean {
  return typeof (globalThis as { __tslab__?: unknown }).__tslab__ === "object";
}

function tryRequire<T>(req: NodeJS.Require | undefined, id: string): T | undefined {
  if (!req) return undefined;
  try {
    return req(id) as T;
  } catch {
    return undefined;
  }
}

let sinkOverride: DisplaySink | null = null;

/** Replaces the display sink (tests, custom frontends); `null` restores automatic detection. */
export function setDisplaySink(sink: DisplaySink | null): void {
  sinkOverride = sink;
}

/** The sink for this process: tslab's writer in a kernel (the instance that runs the kernel), text elsewhere. */
export function currentDisplaySink(): DisplaySink {
  if (sinkOverride) return sinkOverride;
  if (!inTslabKernel()) return textSink();
  // The tslab instance that runs the kernel is the one whose writer is set; look beside the kernel's main module too
  // (a user's project may hold a second copy of tslab).
  const requires = [require, require.main ? (require.main.require.bind(require.main) as NodeJS.Require) : undefined];
  for (const req of requires) {
    const jupyter = tryRequire<TslabJupyterModule>(req, "tslab/dist/jupyter");
    if (jupyter && typeof jupyter.lastWriteDisplayData === "function") return sinkFromTslab(jupyter, undefined);
  }
  for (const req of requires) {
    const pub = tryRequire<TslabPublicModule>(req, "tslab");
    if (pub?.display) return sinkFromTslab(undefined, pub);
  }
  return textSink();
}

// ---------------------------------------------------------------- plotly.js delivery

export type PlotlyMode = "data" | "inline" | "connected";
export const PLOTLY_MODES: readonly PlotlyMode[] = ["data", "inline", "connected"];

/** The mode a kernel starts in: env MI_PLOTLY_MODE (`npm run reproduce` sets "inline" for its exports), else "data". */
function initialPlotlyMode(): PlotlyMode {
  const env = process.env.MI_PLOTLY_MODE?.trim();
  if (!env) return "data";
  if (!PLOTLY_MODES.includes(env as PlotlyMode)) throw new Error(`MI_PLOTLY_MODE="${env}" is not a plotly mode; use one of ${PLOTLY_MODES.join(", ")} (or unset it).`);
  return env as PlotlyMode;
}

let plotlyMode: PlotlyMode = initialPlotlyMode();
let plotlyDelivered = false;

/** The installed plotly.js-dist-min version (the CDN URL of "connected" mode pins the same one). */
export function plotlyVersion(): string {
  return (require("plotly.js-dist-min/package.json") as { version: string }).version;
}

/**
 * How figure outputs get plotly.js, which JupyterLab does not need (its plotly renderer draws the figure data):
 * - "data" (default): no plotly.js in the notebook; outputs hold the figure data (drawn by JupyterLab, and by the
 *   HTML export of `npm run reproduce`, which runs its kernels in "inline" mode). Saved notebooks stay small.
 * - "inline": the first figure of a kernel session carries plotly.js itself (self-contained, offline HTML exports).
 * - "connected": figures load plotly.js from the pinned CDN URL (viewers that show only the HTML; needs the internet).
 */
export function setPlotlyMode(mode: PlotlyMode): void {
  if (!PLOTLY_MODES.includes(mode)) throw new Error(`setPlotlyMode: mode must be one of ${PLOTLY_MODES.map((m) => JSON.stringify(m)).join(", ")}, got ${JSON.stringify(mode)}`);
  plotlyMode = mode;
  plotlyDelivered = false;
}

/** The current mode (see setPlotlyMode). */
export function getPlotlyMode(): PlotlyMode {
  return plotlyMode;
}

/** Makes the next figure carry plotly.js again in "inline" mode (after clearing the outputs that held it). */
export function resetPlotlyDelivery(): void {
  plotlyDelivered = false;
}

function nextPlotlySource(): PlotlySource {
  if (plotlyMode === "data") return { kind: "none" };
  if (plotlyMode === "connected") return { kind: "cdn", url: plotlyCdnUrl(plotlyVersion()) };
  if (plotlyDelivered) return { kind: "none" };
  plotlyDelivered = true;
  const fs = require("node:fs") as typeof import("node:fs");
  const file = require.resolve("plotly.js-dist-min/plotly.min.js");
  return { kind: "inline", code: fs.readFileSync(file, "utf8"), version: plotlyVersion() };
}

let divCounter = 0;
function newId(prefix: string): string {
  divCounter += 1;
  const rand = Math.floor(Date.now() % 1e9).toString(36); // unique across kernel restarts within one page
  return `${prefix}-${rand}-${divCounter}`;
}

// ---------------------------------------------------------------- public display API

/** The MIME bundle `show` sends for a figure (plotly.js included per the current mode). */
export function figureDisplayBundle(fig: Figure): MimeBundle {
  const sink = currentDisplaySink();
  // Only spend the inline plotly.js on outputs that can carry HTML.
  const plotly: PlotlySource = sink.kind === "text" ? { kind: "none" } : nextPlotlySource();
  return figureBundle(fig, { divId: newId("mi-plot"), plotly });
}

/** Shows a Plotly figure `{data, layout}` as ONE output (plotly JSON + HTML + text). Outside a kernel, prints its text. */
export function show(fig: Figure): void {
  currentDisplaySink().send(figureDisplayBundle(fig));
}

/** Shows records, `{columns, rows}` or a danfojs DataFrame/Series as an HTML table of at most `limit` rows (default 50). */
export function showTable(rows: TableInput, opts: { limit?: number; caption?: string } = {}): void {
  currentDisplaySink().send(tableBundle(rows, opts));
}

/** Sends any MIME bundle as one output. */
export function showBundle(bundle: MimeBundle): void {
  currentDisplaySink().send(bundle);
}

// ---------------------------------------------------------------- Deno's Jupyter display protocol

/** Kernels that honour it (Deno's) call `obj[Symbol.for("Jupyter.display")]()` and show the returned MIME bundle. */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** Adds a non-enumerable `[Symbol.for("Jupyter.display")]` method to `obj` (JSON and equality untouched); returns obj. */
export function withJupyterDisplay<T extends object>(obj: T, toBundle: (obj: T) => MimeBundle): T {
  Object.defineProperty(obj, JUPYTER_DISPLAY, { value: () => toBundle(obj), enumerable: false, configurable: true, writable: true });
  return obj;
}

/** A figure that displays itself in Deno-style kernels. */
export function displayableFigure<T extends Figure>(fig: T): T {
  return withJupyterDisplay(fig, (f) => figureBundle(f, { divId: newId("mi-plot"), plotly: { kind: "cdn", url: plotlyCdnUrl(plotlyVersion()) } }));
}

/** A table (records or {columns, rows}) that displays itself in Deno-style kernels. */
export function displayableTable<T extends object>(table: T, opts: { limit?: number; caption?: string } = {}): T {
  return withJupyterDisplay(table, (t) => tableBundle(t as unknown as TableInput, opts));
}

// ---------------------------------------------------------------- progress

export interface Progress {
  /** Advances by n (default 1). */
  tick(n?: number): void;
  /** Marks the work finished (prints the final line / final state). */
  done(): void;
}

interface ProgressOptions {
  /** Where terminal lines go (default process.stderr). */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /** Minimum ms between redraws (default 100 in a notebook/TTY). */
  intervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
  sink?: DisplaySink;
}

/**
 * A progress display: updates in place in a notebook (one output, replaced), draws a bar with ETA on a terminal
 * (stderr), and on a non-TTY stream (logs, CI) prints a line at each quarter and at the end.
 */
export function createProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  if (!Number.isFinite(total) || total < 0) throw new Error(`createProgress(${JSON.stringify(label)}, total): total must be a finite number >= 0, got ${total}`);
  const now = opts.now ?? (() => Date.now());
  const start = now();
  const sink = opts.sink ?? currentDisplaySink();
  const stream = opts.stream ?? process.stderr;
  const notebook = sink.kind !== "text";
  const tty = !notebook && !!(stream as { isTTY?: boolean }).isTTY;
  const interval = opts.intervalMs ?? 100;
  const displayId = newId("mi-progress");
  let done = 0;
  let lastDraw = -Infinity;
  let lastQuarter = -1;
  let drawn = false;
  let finished = false;
  const state = (): ProgressState => ({ label, done, total, elapsedMs: now() - start });

  const draw = (final: boolean) => {
    const s = state();
    if (notebook) {
      sink.send({ "text/html": progressHtml(s), "text/plain": formatProgressLine(s, 0) }, displayId, drawn);
      drawn = true;
    } else if (tty) {
      stream.write(`\r${formatProgressLine(s)}\x1b[K${final ? "\n" : ""}`);
    } else {
      const quarter = total > 0 ? Math.floor((4 * done) / total) : 4;
      if (final || quarter > lastQuarter) {
        lastQuarter = quarter;
        stream.write(formatProgressLine(s, 0) + "\n");
      }
    }
  };
  draw(false);
  lastDraw = now();
  return {
    tick(n = 1) {
      if (finished) return;
      done = Math.min(total, done + n);
      const t = now();
      if (done >= total) return this.done();
      if (t - lastDraw >= interval) {
        lastDraw = t;
        draw(false);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      done = total;
      draw(true);
    },
  };
}
