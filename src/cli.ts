#!/usr/bin/env node
/**
 * `mi-identifiability <command> [options]`. Each command lives in src/cli/<command>.ts and exports
 * `help` (its usage text) and `run(argv)` (resolves to an exit code).
 */
// Each command's module loads only when it runs (the equivalence and training code are large).
const COMMANDS: Record<string, { what: string; load: () => Promise<Command> }> = {
  train: { what: "train a model on a Boolean task and write its JSON", load: () => import("./cli/train") },
  predict: { what: "a model's outputs on every clean input", load: () => import("./cli/predict") },
  analyze: { what: "circuits, interpretations and alignments of a model (where-then-what and what-then-where)", load: () => import("./cli/analyze") },
  run: { what: "run one of the paper's studies (many seeds), incrementally and resumably", load: () => import("./cli/run") },
  "fill-interpretations": { what: "sum the interpretations of a study's models whose circuits were counted, not listed", load: () => import("./cli/fill-interpretations") },
  merge: { what: "merge a study's shards (run --shard i/N) into the unsharded run's records", load: () => import("./cli/merge") },
  figures: { what: "write the figures and summary table of a study's results", load: () => import("./cli/figures") },
  equivalence: { what: "do two or more networks share an interpretation?", load: () => import("./cli/equivalence") },
  transformer: { what: "train (SIIT), evaluate and populate tiny transformers implementing RASP programs", load: () => import("./cli/transformer") },
  das: { what: "distributed alignment search (learned rotations) against the neuron-set search; --study for a results folder", load: () => import("./cli/das") },
  mnist: { what: "the paper's MNIST 0-vs-1 network: train it, count its tail's circuits", load: () => import("./cli/mnist") },
  discover: { what: "circuit discovery (ACDC, EAP, EAP-IG, learned masks) judged against the exhaustive search", load: () => import("./cli/discover") },
};

export interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

function usage(): string {
  return [
    "Usage: mi-identifiability <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.what}`),
    "",
    "Run `mi-identifiability <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 1;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(cmd.help);
    return 0;
  }
  return cmd.run(rest);
}

if (require.main === module) {
  // Output piped into `head` closes early: stop quietly instead of throwing EPIPE.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`mi-identifiability: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
