import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import {
  createProgress,
  currentDisplaySink,
  displayableFigure,
  figureBundle,
  figureToHtml,
  formatDuration,
  formatProgressLine,
  getPlotlyMode,
  JUPYTER_DISPLAY,
  normalizeTable,
  plotlyLoaderHtml,
  setDisplaySink,
  setPlotlyMode,
  show,
  showTable,
  sinkFromTslab,
  tableToHtml,
  tableToText,
  type DisplaySink,
  type MimeBundle,
} from "../src/display";

const fig = { data: [{ type: "scatter", x: new Float32Array([0, 1]), y: [2, 3] }], layout: { title: { text: "a </script> title" } } };

test("figure bundle carries plotly JSON, HTML and text in one object; typed arrays become arrays", () => {
  const b = figureBundle(fig, { divId: "d1", plotly: { kind: "none" } });
  assert.deepEqual(Object.keys(b).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
  const json = b["application/vnd.plotly.v1+json"] as { data: { x: unknown }[] };
  assert.deepEqual(json.data[0].x, [0, 1]);
  assert.equal(b["text/plain"], 'Figure "a </script> title": 1 trace (scatter)');
  const html = b["text/html"] as string;
  assert.match(html, /<div id="d1" class="mi-plotly"/);
  assert.match(html, /Plotly\.newPlot/);
  assert.equal(html.match(/<\/script>/g)!.length, 1, "the title must not close the script element");
});

test("figure HTML embeds plotly.js inline (escaped), from a pinned CDN, or not at all", () => {
  const inline = plotlyLoaderHtml({ kind: "inline", code: 'var s = "</script>"; window.Plotly = {};', version: "4.1.2" });
  assert.ok(!inline.includes('"</script>"'));
  assert.match(inline, /window\.define = undefined/);
  assert.match(plotlyLoaderHtml({ kind: "cdn", url: "https://cdn.plot.ly/plotly-4.1.2.min.js" }), /src="https:\/\/cdn\.plot\.ly\/plotly-4\.1\.2\.min\.js"/);
  assert.equal(plotlyLoaderHtml({ kind: "none" }), "");
  assert.throws(() => figureToHtml({ data: "nope" } as never, { divId: "x" }), /plain Plotly figure/);
});

test("tables: records, {columns, rows} and danfojs-like frames render with a row limit", () => {
  const rows = [{ a: 1, b: 0.123456789 }, { a: 2, c: "<x>" }, { a: 3 }];
  assert.deepEqual(normalizeTable(rows), { columns: ["a", "b", "c"], rows: [[1, 0.123456789, undefined], [2, undefined, "<x>"], [3, undefined, undefined]] });
  const html = tableToHtml(rows, { limit: 2 });
  assert.equal(html.match(/<tr>/g)!.length, 3); // header + 2 rows
  assert.match(html, /showing 2 of 3 rows/);
  assert.match(html, /&lt;x&gt;/);
  assert.match(html, /0\.123457/);
  assert.match(tableToText({ columns: ["n"], rows: [[1], [22]] }), /^ n\n 1\n22$/);
  const df = { columns: ["x", "y"], values: [[1, 2], [3, 4]], index: [0, 1], shape: [2, 2] };
  assert.deepEqual(normalizeTable(df), { columns: ["", "x", "y"], rows: [[0, 1, 2], [1, 3, 4]] });
  assert.throws(() => normalizeTable({ columns: ["a"], rows: [[1, 2]] }), /row 0 has 2 cells, expected 1/);
  assert.throws(() => tableToHtml(rows, { limit: -1 }), /limit/);
});

test("progress line: bar, counts, percent, elapsed and ETA", () => {
  assert.equal(formatProgressLine({ label: "fit", done: 25, total: 100, elapsedMs: 1000 }, 8), "fit [##......] 25/100 25%  1.0 s elapsed, ETA 3.0 s");
  assert.equal(formatProgressLine({ label: "fit", done: 100, total: 100, elapsedMs: 75_000 }, 0), "fit 100/100 100%  1 min 15 s");
  assert.equal(formatDuration(3_723_000), "1 h 02 min");
});

test("the kernel sink sends ONE bundle through tslab's internal writer; fallbacks are html-only, then text", () => {
  const sent: { data: MimeBundle; transient: Record<string, unknown>; update?: boolean }[] = [];
  const jupyter = { lastWriteDisplayData: (d: { data: MimeBundle; metadata: unknown; transient: Record<string, unknown> }, update?: boolean) => void sent.push({ ...d, update }) };
  const bundleSink = sinkFromTslab(jupyter, undefined);
  assert.equal(bundleSink.kind, "bundle");
  bundleSink.send({ "text/plain": "x", "text/html": "<b>x</b>" }, "id1", true);
  assert.deepEqual(sent, [{ data: { "text/plain": "x", "text/html": "<b>x</b>" }, metadata: {}, transient: { display_id: "id1" }, update: true }]);

  const calls: string[] = [];
  const pub = { display: { html: (s: string) => void calls.push("html:" + s), text: (s: string) => void calls.push("text:" + s) } };
  const htmlSink = sinkFromTslab({ lastWriteDisplayData: null }, pub);
  assert.equal(htmlSink.kind, "html-only");
  htmlSink.send({ "text/plain": "x", "text/html": "<b>x</b>" });
  assert.deepEqual(calls, ["html:<b>x</b>"]);

  assert.equal(sinkFromTslab(undefined, undefined).kind, "text");
});

test("outside a kernel show/showTable print text and never load tslab", () => {
  assert.equal(currentDisplaySink().kind, "text");
  const lines: string[] = [];
  setDisplaySink({ kind: "text", send: (b) => void lines.push(String(b["text/plain"])) });
  try {
    show(fig);
    showTable([{ a: 1 }]);
  } finally {
    setDisplaySink(null);
  }
  assert.deepEqual(lines, ['Figure "a </script> title": 1 trace (scatter)', "a\n1"]);
  assert.ok(!Object.keys(require.cache).some((k) => k.includes(`${"tslab"}/dist/jupyter`)));
});

test("plotly.js delivery: none by default (figure data only), once per session inline, or from the pinned CDN", () => {
  const bundles: MimeBundle[] = [];
  setDisplaySink({ kind: "bundle", send: (b) => void bundles.push(b) });
  try {
    assert.equal(getPlotlyMode(), "data");
    show(fig);
    setPlotlyMode("inline");
    show(fig);
    show(fig);
    setPlotlyMode("connected");
    show(fig);
    assert.throws(() => setPlotlyMode("cdn" as never), /mode must be one of "data", "inline", "connected", got "cdn"/);
  } finally {
    setPlotlyMode("data");
    setDisplaySink(null);
  }
  const html = bundles.map((b) => b["text/html"] as string);
  const marker = "(inlined once per kernel session)";
  // data: what JupyterLab saves stays small, and the figure data is all there
  assert.ok(html[0].length < 10_000 && !html[0].includes(marker) && !html[0].includes("cdn.plot.ly"), "no plotly.js in data mode");
  assert.deepEqual((bundles[0]["application/vnd.plotly.v1+json"] as { data: { y: number[] }[] }).data[0].y, [2, 3]);
  assert.ok(html[1].length > 1_000_000 && html[1].includes(marker), "plotly.js inlined in the first inline figure");
  assert.ok(html[2].length < 10_000 && !html[2].includes(marker), "and only in the first");
  assert.match(html[3], /src="https:\/\/cdn\.plot\.ly\/plotly-\d+\.\d+\.\d+\.min\.js"/);
});

test("MI_PLOTLY_MODE sets the starting mode (reproduce: inline); a bad value is refused naming it", () => {
  const run = (mode: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "-e", 'console.log(require("./src/display").getPlotlyMode())'], { cwd: path.resolve(__dirname, ".."), env: { ...process.env, MI_PLOTLY_MODE: mode }, encoding: "utf8" });
  assert.equal(run("inline").stdout.trim(), "inline");
  const bad = run("svg");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /MI_PLOTLY_MODE="svg" is not a plotly mode; use one of data, inline, connected/);
});

test("notebook progress updates one display in place; non-TTY prints quarter lines", () => {
  const sent: { id?: string; update?: boolean; text: string }[] = [];
  const sink: DisplaySink = { kind: "bundle", send: (b, id, update) => void sent.push({ id, update, text: String(b["text/plain"]) }) };
  let t = 0;
  const p = createProgress("work", 4, { sink, now: () => t, intervalMs: 0 });
  for (let i = 0; i < 4; i++) {
    t += 10;
    p.tick();
  }
  p.done();
  assert.equal(new Set(sent.map((s) => s.id)).size, 1);
  assert.deepEqual(sent.map((s) => s.update), [false, true, true, true, true]);
  assert.match(sent.at(-1)!.text, /work 4\/4 100%/);

  const out: string[] = [];
  t = 0;
  const q = createProgress("log", 8, { sink: { kind: "text", send() {} }, stream: { write: (s: string) => void out.push(s), isTTY: false }, now: () => t });
  for (let i = 0; i < 8; i++) {
    t += 1000;
    q.tick();
  }
  assert.equal(out.length, 5); // 0%, 25%, 50%, 75%, final
  assert.match(out[4], /^log 8\/8 100%/);
});

test("displayable objects implement Deno's Symbol.for('Jupyter.display') without changing their JSON", () => {
  const f = displayableFigure({ data: [{ y: [1] }], layout: {} });
  const b = (f as unknown as Record<symbol, () => MimeBundle>)[JUPYTER_DISPLAY]();
  assert.ok("application/vnd.plotly.v1+json" in b && "text/html" in b);
  assert.equal(JSON.stringify(f), '{"data":[{"y":[1]}],"layout":{}}');
});
