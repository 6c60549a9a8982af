/** `maspo optimize <config>`: run the MASPO search as a durable workflow and print the winning prompts. */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { OptimizeResult } from '../../core/contracts/optimize';
import { spendOf } from '../../core/contracts/ledger';
import { loadConfig } from '../config';
import { awaitOptimization, buildOptimizeInput, controlOptimization, defaultOptimizationId, formatSpend, setBudget, startOptimization } from '../optimize';
import { ConfigError } from '../config';
import { searchProgressReporter } from '../progress';
import { withTemporal, workerOption, workflowUrl } from './inline-worker';
import { openTemporal } from './connect';

export function formatOptimization(r: OptimizeResult, workflowId: string): string {
  const t = r.totals;
  const lines = [
    `optimization ${r.runName} · ${r.strategy} (${r.profile} profile) · ${r.rounds.length} round(s)${r.stopped ? ` · STOPPED early (${r.stopReason ?? 'stopped'}): best prompts so far` : ''} · workflow ${workflowId}`,
    `LLM calls: backbone ${t.calls.backbone}, optimizer ${t.calls.optimizer}, judge ${t.calls.judge} (${t.cached} from cache); tokens in ${t.usage.inputTokens} / out ${t.usage.outputTokens}; unparseable verdicts ${t.unparseableVerdicts}, order disagreements ${t.orderDisagreements}, rejected proposals ${t.rejectedProposals}`,
  ];
  if (t.ledger) {
    const l = t.ledger;
    const held = r.heldOut?.totals?.ledger;
    lines.push(
      `${formatSpend(spendOf(l).usd, r.budget)} for the search: backbone $${l.backbone.costUsd.toFixed(4)}, optimizer $${l.optimizer.costUsd.toFixed(4)}, judge $${l.judge.costUsd.toFixed(4)}${held ? `; held-out evaluation $${spendOf(held).usd.toFixed(4)}` : ''} (list prices; cache hits free)`,
    );
  }
  if (r.stopReason === 'budget_exhausted') lines.push('stopped: BUDGET EXHAUSTED (the next unit could have passed the cap); the prompts are the best so far');
  for (const s of r.rounds) lines.push(`round ${s.round}: ${s.improvements} improvement(s), ${s.anchorShifts} anchor shift(s), best J ${Object.entries(s.bestJ).map(([a, j]) => `${a}=${j.toFixed(3)}`).join(' ')}`);
  if (r.heldOut) {
    const h = r.heldOut;
    const acc = (x: typeof h.seed) => `${(100 * x.accuracy).toFixed(1)}% (95% CI ${(100 * x.ci.low).toFixed(1)}–${(100 * x.ci.high).toFixed(1)}, n=${x.n})`;
    lines.push(`held-out ${h.dataset}: seed prompts ${acc(h.seed)} → optimized ${acc(h.optimized)}${h.optimized.ci.low > h.seed.ci.high ? ' · intervals do not overlap' : ''}`);
    if (h.paired) {
      const p = h.paired;
      const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
      lines.push(`  paired (same ${p.n} items): optimized − seed ${pts(p.difference)} points (95% CI ${pts(p.ci.low)} to ${pts(p.ci.high)}); McNemar exact p = ${p.mcnemar.pValue.toPrecision(3)} (${p.mcnemar.bOnly} items only optimized got right, ${p.mcnemar.aOnly} only seed)`);
    }
  }
  for (const [id, a] of Object.entries(r.agents)) {
    const changed = r.prompts[id] !== r.seedPrompts[id];
    lines.push('', `agent ${id}: ${changed ? `improved (node ${a.best.id}, J ${a.best.J.toFixed(3)})` : 'kept its seed prompt'}`, indent(r.prompts[id]));
  }
  return lines.join('\n');
}

/** Parses a cap option: a positive number, or `none` to remove that cap (commander turns a null into ''). */
function budgetValue(flag: string): (v: string) => number | 'none' {
  return (v) => {
    if (v === 'none') return 'none';
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (flag === '--calls' && !Number.isInteger(n))) throw new ConfigError(`${flag}: expected a positive ${flag === '--calls' ? 'integer' : 'number'} or "none", got '${v}'`);
    return n;
  };
}

const indent = (s: string) => s.split('\n').map((l) => `    ${l}`).join('\n');

export function registerOptimize(program: Command): void {
  program
    .command('optimize')
    .description('jointly optimise every agent prompt with MASPO as a durable Temporal workflow; print the winning prompts')
    .argument('<config>', 'run config with an `optimize:` section (YAML or JSON)')
    .option('--json', 'print the full result as JSON on stdout')
    .option('-o, --out <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .option('--id <workflowId>', 'workflow id (default: optimize-<name>-<UTC timestamp>)')
    .addOption(workerOption())
    .option('--detach', 'start the workflow, print its id and exit (then: maspo status / result / pause / stop)')
    .option('--no-progress', 'do not show progress')
    .option('--watch', 'show live progress on stderr even with --json (bars in a terminal, lines when piped)')
    .action(async (file: string, opts: { json?: boolean; out?: string; id?: string; worker: 'auto' | 'inline' | 'none'; detach?: boolean; progress: boolean; watch?: boolean }) => {
      const loaded = await loadConfig(file);
      const input = await buildOptimizeInput(loaded);
      await withTemporal(
        loaded.config,
        opts.worker,
        async (temporal) => {
          const handle = await startOptimization(temporal.client, input, opts.id ?? defaultOptimizationId(input));
          const uiUrl = workflowUrl(temporal, handle.workflowId);
          process.stderr.write(`started ${handle.workflowId}${uiUrl ? `\nTemporal UI: ${uiUrl}` : ''}\n`);
          if (opts.detach) {
            process.stdout.write(`${handle.workflowId}\n`);
            return;
          }
          const reporter = searchProgressReporter(opts.watch || (!opts.json && opts.progress) ? (process.stderr.isTTY ? 'tty' : 'lines') : 'off');
          const result = await awaitOptimization(temporal.client, handle, (p) => reporter.update(p)).finally(() => reporter.stop());
          if (opts.out) await writeFile(opts.out, `${JSON.stringify(result.prompts, null, 2)}\n`);
          process.stdout.write(opts.json ? `${JSON.stringify({ workflowId: handle.workflowId, ...result }, null, 2)}\n` : `${formatOptimization(result, handle.workflowId)}\n`);
        },
        { detach: opts.detach },
      );
    });
}

export function registerSearchControl(program: Command): void {
  for (const [command, what] of [
    ['pause', 'pause a search at its next boundary (between steps); nothing in flight is lost'],
    ['resume', 'resume a paused search'],
    ['stop', 'stop a search at its next boundary; it completes with the best prompts so far'],
  ] as const) {
    program
      .command(command)
      .description(what)
      .argument('<workflowId>', 'the optimize workflow id')
      .action(async (workflowId: string) => {
        const temporal = await openTemporal();
        try {
          process.stdout.write(`${workflowId}: ${await controlOptimization(temporal.client, workflowId, command)}\n`);
        } finally {
          await temporal.close();
        }
      });
  }

  program
    .command('watch')
    .description('follow a running search: live progress bars (plain lines when piped) until it ends, then its result')
    .argument('<workflowId>', 'the optimize workflow id')
    .action(async (workflowId: string) => {
      const temporal = await openTemporal();
      const reporter = searchProgressReporter(process.stderr.isTTY ? 'tty' : 'lines');
      try {
        const result = await awaitOptimization(temporal.client, temporal.client.workflow.getHandle(workflowId), (p) => reporter.update(p)).finally(() => reporter.stop());
        process.stdout.write(`${formatOptimization(result, workflowId)}\n`);
      } finally {
        await temporal.close();
      }
    });

  program
    .command('budget')
    .description('set the spending cap of a search; a run waiting with budget_exhausted goes on when the new cap covers its next unit')
    .argument('<workflowId>', 'the optimize workflow id')
    .option('--usd <dollars>', 'dollar cap (list prices; "none" removes it)', budgetValue('--usd'))
    .option('--calls <n>', 'cap on paid LLM calls ("none" removes it)', budgetValue('--calls'))
    .action(async (workflowId: string, opts: { usd?: number | 'none'; calls?: number | 'none' }) => {
      if (opts.usd === undefined && opts.calls === undefined) throw new ConfigError('budget: give --usd and/or --calls');
      const value = (v: number | 'none' | undefined) => (v === 'none' ? null : v);
      const temporal = await openTemporal();
      try {
        const cap = await setBudget(temporal.client, workflowId, { usd: value(opts.usd), calls: value(opts.calls) });
        process.stdout.write(`${workflowId}: budget ${cap.usd !== undefined ? `$${cap.usd}` : 'no dollar cap'}, ${cap.calls !== undefined ? `${cap.calls} calls` : 'no call cap'}\n`);
      } finally {
        await temporal.close();
      }
    });

  program
    .command('result')
    .description('wait for a search and print its winning prompts; -o writes them as JSON for `evaluate --prompts` and the library')
    .argument('<workflowId>', 'the optimize workflow id')
    .option('-o, --out <file>', 'write the winning prompts as JSON ({ agentId: prompt })')
    .option('--json', 'print the full result as JSON')
    .action(async (workflowId: string, opts: { out?: string; json?: boolean }) => {
      const temporal = await openTemporal();
      try {
        const result = (await temporal.client.workflow.getHandle(workflowId).result()) as OptimizeResult;
        if (opts.out) await writeFile(opts.out, `${JSON.stringify(result.prompts, null, 2)}\n`);
        process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatOptimization(result, workflowId)}\n`);
      } finally {
        await temporal.close();
      }
    });
}
