/**
 * The `maspo` command line. Thin: each command parses flags, calls the library, prints. One error boundary
 * maps known errors to a one-line message and a non-zero exit code, without stack traces.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerCompare } from './commands/compare';
import { registerEvaluate } from './commands/evaluate';
import { registerExperiment } from './commands/experiment';
import { registerOptimize, registerSearchControl } from './commands/optimize';
import { registerPlan } from './commands/plan';
import { registerServer, registerSetup } from './commands/server';
import { registerSim } from './commands/sim';
import { registerStatus } from './commands/status';
import { registerWorker } from './commands/worker';
import { exitCodeFor, messageFor } from './errors';
import { packageVersion } from './package-info';

export function buildProgram(): Command {
  const program = new Command('maspo')
    .description('Durable, label-free joint prompt optimization for LLM multi-agent systems (MASPO) on Temporal')
    .version(packageVersion())
    .configureOutput({ outputError: (text, write) => write(`maspo: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`) })
    .exitOverride();
  registerSetup(program);
  registerServer(program);
  registerWorker(program);
  registerEvaluate(program);
  registerCompare(program);
  registerOptimize(program);
  registerExperiment(program);
  registerPlan(program);
  registerSearchControl(program);
  registerStatus(program);
  registerSim(program);
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

/** Parses a positive integer flag value, naming the flag on error. */
export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

export { Option };
