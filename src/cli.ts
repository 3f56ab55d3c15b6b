#!/usr/bin/env node
/**
 * `mi-identifiability <command> [options]`. Each command lives in src/cli/<command>.ts and exports
 * `help` (its usage text) and `run(argv)` (resolves to an exit code).
 */
import * as path from "node:path";
import * as fs from "node:fs";

const COMMANDS: Record<string, string> = {
  train: "train a model on a Boolean task and write its JSON",
  predict: "a model's outputs on every clean input",
  analyze: "circuits, interpretations and alignments of a model (where-then-what and what-then-where)",
  run: "run one of the paper's studies (many seeds), incrementally and resumably",
  figures: "write the figures and summary table of a study's results",
  equivalence: "do two or more networks share an interpretation?",
};

export interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

function usage(): string {
  const available = Object.entries(COMMANDS).filter(([name]) => commandFile(name));
  return [
    "Usage: mi-identifiability <command> [options]",
    "",
    "Commands:",
    ...available.map(([name, what]) => `  ${name.padEnd(12)} ${what}`),
    "",
    "Run `mi-identifiability <command> --help` for a command's options.",
  ].join("\n");
}

function commandFile(name: string): string | undefined {
  for (const ext of [".js", ".ts"]) {
    const file = path.join(__dirname, "cli", name + ext);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 1;
  }
  const file = COMMANDS[name] ? commandFile(name) : undefined;
  if (!file) {
    console.error(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const cmd: Command = require(file);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(cmd.help);
    return 0;
  }
  return cmd.run(rest);
}

if (require.main === module) {
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
