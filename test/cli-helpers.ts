// Running the command line from the sources in a child process, as a user would (tsx, no build needed).
import { execFileSync } from "node:child_process";

/** The command's standard output; throws (with its stderr) when it exits non-zero. */
export const cli = (...args: string[]): string => execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The standard error of a command that must fail; throws when it succeeds. */
export function cliError(...args: string[]): string {
  try {
    cli(...args);
  } catch (e) {
    return String((e as { stderr?: unknown }).stderr);
  }
  throw new Error(`expected \`${args.join(" ")}\` to fail`);
}
