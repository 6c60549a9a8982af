/** `maspo optimize <config>`: run the MASPO search as a durable workflow and print the winning prompts. */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { OptimizeResult } from '../../core/optimization';
import { loadConfig } from '../config';
import { awaitOptimization, buildOptimizeInput, defaultOptimizationId, startOptimization } from '../optimize';
import { checkApiKeys, startInlineWorkers, type InlineWorkers } from './inline-worker';
import { openTemporal } from './connect';

export function formatOptimization(r: OptimizeResult, workflowId: string): string {
  const t = r.totals;
  const lines = [
    `optimization ${r.runName} · ${r.strategy} (${r.profile} profile) · ${r.rounds.length} round(s) · workflow ${workflowId}`,
    `LLM calls: backbone ${t.calls.backbone}, optimizer ${t.calls.optimizer}, judge ${t.calls.judge} (${t.cached} from cache); tokens in ${t.usage.inputTokens} / out ${t.usage.outputTokens}; unparseable verdicts ${t.unparseableVerdicts}, order disagreements ${t.orderDisagreements}, rejected proposals ${t.rejectedProposals}`,
  ];
  for (const s of r.rounds) lines.push(`round ${s.round}: ${s.improvements} improvement(s), ${s.anchorShifts} anchor shift(s), best J ${Object.entries(s.bestJ).map(([a, j]) => `${a}=${j.toFixed(3)}`).join(' ')}`);
  if (r.heldOut) {
    const h = r.heldOut;
    const acc = (x: typeof h.seed) => `${(100 * x.accuracy).toFixed(1)}% (95% CI ${(100 * x.ci.low).toFixed(1)}–${(100 * x.ci.high).toFixed(1)}, n=${x.n})`;
    lines.push(`held-out ${h.dataset}: seed prompts ${acc(h.seed)} → optimized ${acc(h.optimized)}${h.optimized.ci.low > h.seed.ci.high ? ' · intervals do not overlap' : ''}`);
  }
  for (const [id, a] of Object.entries(r.agents)) {
    const changed = r.prompts[id] !== r.seedPrompts[id];
    lines.push('', `agent ${id}: ${changed ? `improved (node ${a.best.id}, J ${a.best.J.toFixed(3)})` : 'kept its seed prompt'}`, indent(r.prompts[id]));
  }
  return lines.join('\n');
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
    .addOption(new Option('--worker <mode>', 'auto: workers in this process on the embedded server; inline: always; none: never').choices(['auto', 'inline', 'none']).default('auto'))
    .option('--detach', 'start the workflow, print its id and exit')
    .action(async (file: string, opts: { json?: boolean; out?: string; id?: string; worker: 'auto' | 'inline' | 'none'; detach?: boolean }) => {
      const loaded = await loadConfig(file);
      const input = await buildOptimizeInput(loaded);
      const embedded = !process.env.TEMPORAL_ADDRESS?.trim();
      const inline = !opts.detach && (opts.worker === 'inline' || (opts.worker === 'auto' && embedded));
      if (inline) checkApiKeys(loaded.config);
      const temporal = await openTemporal();
      let workers: InlineWorkers | undefined;
      try {
        if (inline) workers = await startInlineWorkers(await temporal.nativeConnection(), temporal.namespace, loaded.config);
        const handle = await startOptimization(temporal.client, input, opts.id ?? defaultOptimizationId(input));
        const uiUrl = temporal.uiUrl ? `${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${encodeURIComponent(handle.workflowId)}` : undefined;
        process.stderr.write(`started ${handle.workflowId}${uiUrl ? `\nTemporal UI: ${uiUrl}` : ''}\n`);
        if (opts.detach) return;
        const result = await awaitOptimization(handle);
        if (opts.out) await writeFile(opts.out, `${JSON.stringify(result.prompts, null, 2)}\n`);
        process.stdout.write(opts.json ? `${JSON.stringify({ workflowId: handle.workflowId, ...result }, null, 2)}\n` : `${formatOptimization(result, handle.workflowId)}\n`);
      } finally {
        await workers?.stop();
        await temporal.close();
      }
    });
}
