/**
 * The one program. Every role is a subcommand; each lives in `commands/<name>.ts` and exports
 * `run(argv)` (resolving the exit code) and `help` (its usage text). The same file is also the
 * entry of training threads (the worker's `train` jobs), which train once, of bagging threads (the
 * bags of a training side by side, for `train` and training threads), and, run from the sources,
 * of scoring threads (`score --threads`), which serve ranges of a file instead (the bundle
 * starts them from scoring-thread.ts).
 */
import { didYouMean } from "./command-line.ts";
import {
  isBagThread,
  isScoringThread,
  isTrainingThread,
  serveBagThread,
  serveScoringThread,
  serveTrainingThread,
} from "@retainwise/core";

const COMMANDS = ["score", "train", "api", "worker", "local", "migrate", "keys", "smoke"] as const;
type CommandName = (typeof COMMANDS)[number];

interface Command {
  run(argv: string[]): Promise<number>;
  help: string;
  summary?: string;
}

const USAGE = `retainwise — churn prediction as a service

Usage: retainwise <command> [options]

Commands:
  score     Score a customer CSV with the churn model (file in, scored CSV out)
  train     Train a churn model from a labeled CSV and export it to ONNX
  local     Run the whole service on this machine (embedded PostgreSQL, files on disk)
  api       Run the HTTP API (deployed role)
  worker    Run the queue worker (deployed role)
  migrate   Apply database migrations
  keys      Manage API keys (keys create --account NAME)
  smoke     Check a running service end to end (smoke --url URL --key KEY)

Run 'retainwise <command> --help' for a command's options.`;

async function loadCommand(name: CommandName): Promise<Command> {
  return (await import(`./commands/${name}.ts`)) as Command;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE + "\n");
    return name ? 0 : 2;
  }
  if (!(COMMANDS as readonly string[]).includes(name)) {
    process.stderr.write(`retainwise: unknown command '${name}'.${didYouMean(name, COMMANDS)}\n\n${USAGE}\n`);
    return 2;
  }
  const command = await loadCommand(name as CommandName);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.help + "\n");
    return 0;
  }
  return command.run(rest);
}

if (isScoringThread()) await serveScoringThread();
else if (isTrainingThread()) await serveTrainingThread();
else if (isBagThread()) serveBagThread();
else run();

function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`retainwise: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
