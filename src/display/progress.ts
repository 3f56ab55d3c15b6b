/** Progress reporting: pure formatting here, the notebook / terminal edges in kernel.ts. */

/** "1.5 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - 60 * m)).padStart(2, "0")} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m - 60 * h).padStart(2, "0")} min`;
}

export interface ProgressState {
  label: string;
  done: number;
  total: number;
  elapsedMs: number;
}

/** Estimated time left from the mean rate so far; undefined before the first tick. */
export function progressEta(s: ProgressState): number | undefined {
  if (s.done <= 0 || s.total <= 0) return undefined;
  return (s.elapsedMs / s.done) * Math.max(0, s.total - s.done);
}

/** One progress line: `label [#####.....]  42/100  42%  3.1 s elapsed, ETA 4.2 s` (bar omitted when width is 0). */
export function formatProgressLine(s: ProgressState, barWidth = 24): string {
  const frac = s.total > 0 ? Math.min(1, Math.max(0, s.done / s.total)) : 0;
  const bar = barWidth > 0 ? ` [${"#".repeat(Math.round(frac * barWidth)).padEnd(barWidth, ".")}]` : "";
  const pct = `${Math.floor(frac * 100)}%`;
  const eta = progressEta(s);
  const finished = s.total > 0 && s.done >= s.total;
  const timing = finished ? `${formatDuration(s.elapsedMs)}` : `${formatDuration(s.elapsedMs)} elapsed${eta === undefined ? "" : `, ETA ${formatDuration(eta)}`}`;
  return `${s.label}${bar} ${s.done}/${s.total} ${pct}  ${timing}`;
}

/** The HTML of a progress display in a notebook (a <progress> element plus the same line). */
export function progressHtml(s: ProgressState): string {
  const esc = (x: string) => x.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<div class="mi-progress"><progress value="${Math.min(s.done, s.total)}" max="${Math.max(1, s.total)}" style="width:16em;vertical-align:middle"></progress> <code>${esc(formatProgressLine(s, 0))}</code></div>`;
}
