/** Notebook display: figures, tables and progress (pure renderers in html.ts/progress.ts, kernel I/O in kernel.ts). */
export * from "./html";
export * from "./progress";
export * from "./kernel";
