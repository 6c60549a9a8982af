/**
 * The `maspo` command line. Thin: each command (cli/commands/<name>.ts) parses flags, calls the library (client/),
 * prints. This is the one error boundary: it maps known errors to a one-line message and a non-zero exit code
 * (client/errors.ts), without stack traces.
 */
import { Command, CommanderError } from 'commander';
import { registerCompare } from './commands/compare';
import { registerEvaluate } from './commands/evaluate';
import { registerExperiment } from './commands/experiment';
import { registerExport } from './commands/export';
import { registerFork } from './commands/fork';
import { registerLlm } from './commands/llm';
import { registerOptimize } from './commands/optimize';
import { registerPlan } from './commands/plan';
import { registerReport } from './commands/report';
import { registerSearchControl } from './commands/search-control';
import { registerServer } from './commands/server';
import { registerSetup } from './commands/setup';
import { registerSim } from './commands/sim';
import { registerStatus } from './commands/status';
import { registerWorker } from './commands/worker';
import { exitCodeFor, messageFor, UsageError } from '../client/errors';
import { packageVersion } from '../client/package-info';

export function buildProgram(): Command {
  const program = new Command('maspo')
    .description('Durable, label-free joint prompt optimization for LLM multi-agent systems (MASPO) on Temporal')
    .version(packageVersion())
    // A parent's options stop at its subcommand, so `server codec --codec-port N` reaches the subcommand's own
    // --codec-port instead of `server`'s (commander needs this on every ancestor).
    .enablePositionalOptions()
    .configureOutput({ outputError: (text, write) => write(`maspo: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`) })
    .exitOverride()
    .hook('preAction', (_program, command) => checkWorkflowIds(command));
  registerSetup(program);
  registerServer(program);
  registerWorker(program);
  registerEvaluate(program);
  registerCompare(program);
  registerOptimize(program);
  registerFork(program);
  registerExperiment(program);
  registerPlan(program);
  registerSearchControl(program);
  registerStatus(program);
  registerExport(program);
  registerReport(program);
  registerSim(program);
  registerLlm(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed (one line) by commander
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`maspo: ${messageFor(err)}\n`);
    process.exitCode = exitCodeFor(err);
  }
}

/** Longest workflow id a Temporal server accepts by default (`limit.maxIDLength`, bytes). */
const MAX_WORKFLOW_ID_BYTES = 1000;

/**
 * Every workflow id the CLI takes (a `<workflowId>` argument or `--id`) is checked before the command runs, so a
 * bad one is a one-line usage error and never reaches a server (which answers with an opaque "Failed to start").
 */
function checkWorkflowIds(command: Command): void {
  const ids: Array<[string, unknown]> = command.registeredArguments.map((a, i) => [`<${a.name()}>`, a.name() === 'workflowId' ? command.processedArgs[i] : undefined]);
  ids.push(['--id', command.opts().id]);
  for (const [name, id] of ids) {
    if (typeof id !== 'string') continue;
    if (id.trim() === '') throw new UsageError(`${name}: a workflow id must not be empty`);
    const bytes = Buffer.byteLength(id);
    if (bytes > MAX_WORKFLOW_ID_BYTES) throw new UsageError(`${name}: a workflow id must be at most ${MAX_WORKFLOW_ID_BYTES} bytes, got ${bytes}`);
  }
}

