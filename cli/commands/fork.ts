/**
 * `maspo fork <workflowId> --round R [-c overrides.yaml]`: a new search from the state an earlier run had at the start
 * of round R, with safe settings changed (client/fork.ts). Prints the winning prompts like `maspo optimize`.
 */
import { Command } from 'commander';
import { forkInput, forkWorkerPlan, loadForkOverrides, roundStartInput, startFork } from '../../client/fork';
import { registerSearchAttributes } from '../../client/temporal/dev-server';
import { withConnection } from '../../client/connect';
import { withTemporal, type WorkerMode } from '../../client/workers';
import { followSearch } from '../follow-search';
import { SA_FORK_OF, SA_FORK_ROUND } from '../../core/contracts/search-attributes';
import type { ForkOverrides } from '../../core/schema/fork';
import { positiveInteger, workerOption } from '../flags';

interface ForkOptions {
  round: number;
  config?: string;
  json?: boolean;
  out?: string;
  id?: string;
  worker: WorkerMode;
  detach?: boolean;
  progress: boolean;
}

export function registerFork(program: Command): void {
  program
    .command('fork')
    .description('start a new search from the state of an earlier optimize run at the start of round R (beams, best prompts, misalignment buffers, PRNG), optionally with safe settings changed; replayed calls come from the response cache')
    .argument('<workflowId>', 'the optimize run to fork (finished, running or stopped)')
    .requiredOption('--round <R>', 'start from the beginning of this round (1 = the start of the search)', positiveInteger('--round'))
    .option('-c, --config <overrides>', 'YAML or JSON with the settings to change: optimize.{rounds, stepsPerRound, proposalsPerParent, batchSize, weights, budget}, models.{optimizer, judge}')
    .option('--json', 'print the full result as JSON on stdout')
    .option('-o, --out <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .option('--id <workflowId>', 'workflow id of the fork (default: <parent>-fork-r<R>-<UTC timestamp>)')
    .addOption(workerOption())
    .option('--detach', 'start the fork, print its id and exit')
    .option('--no-progress', 'do not show progress')
    .action(async (parentId: string, opts: ForkOptions) => {
      // Overrides are checked before anything connects; the parent's state is read before anything starts.
      const overrides: ForkOverrides = opts.config ? await loadForkOverrides(opts.config) : {};
      const input = await withConnection(async (t) => forkInput(await roundStartInput(t.client, parentId, opts.round), opts.round, overrides));
      await withTemporal(
        forkWorkerPlan(input, overrides),
        opts.worker,
        async (temporal) => {
          // A server started before forks existed lacks their attributes (idempotent).
          await registerSearchAttributes(temporal.connection, temporal.namespace, [SA_FORK_OF, SA_FORK_ROUND]);
          const origin = { workflowId: parentId, round: opts.round };
          const handle = await startFork(temporal.client, input, origin, opts.id);
          await followSearch(temporal, handle, opts, { note: `fork of ${parentId} at round ${opts.round}`, extra: { forkOf: origin } });
        },
        { detach: opts.detach },
      );
    });
}
