/**
 * Scenario 2: SIGKILL the Temporal dev server (the real binary, SQLite persistence) ≥ 5 times during a search, at
 * seeded moments, and restart it on the same database file after a seeded outage of up to 3 s. The worker (its own
 * process) and the client reconnect by themselves; the run must complete with the result of the uninterrupted run.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOptimization } from '../../client/optimize';
import { deriveSeed, Prng } from '../../core/common/prng';
import type { OptimizeResult } from '../../core/contracts/optimize';
import type { ChaosContext } from './context';
import { DevServer, WorkerProcess, scenarioDirIn, throughOutages, waitUntil } from './processes';
import { rowOf, type ScenarioRow } from './report';
import { sameOutcome } from '../../fixtures/search-config';
import { logIn, prepareTrial, seconds } from './trial';
import { seededPositions } from './worker-crash';

export async function serverCrashScenario(ctx: ChaosContext, seed: number): Promise<ScenarioRow> {
  const started = Date.now();
  const killCount = ctx.quick ? 2 : 5;
  const ref = await ctx.reference(seed);
  const dir = scenarioDirIn(ctx.dir, 'server-crash');
  const server = await DevServer.start(path.join(dir, 'server'));
  const trial = await prepareTrial(ctx, dir, { name: `server-crash-${seed}`, seed, taskQueue: `chaos-scrash-${Date.now()}` });
  const worker = new WorkerProcess(trial.file, ctx.env(server.address, path.join(dir, 'worker-home')), logIn(dir, 'worker'));
  const positions = seededPositions(seed, 'server-kills', killCount, 5, Math.floor(0.85 * ref.forwarded));
  const outage = new Prng(deriveSeed(seed, 'server-outage'));
  const kills: Array<{ afterReplies: number; downMs: number; restartMs: number }> = [];
  let result: OptimizeResult | undefined;
  let runStarted = Date.now();
  let runMs = 0;
  try {
    await worker.start();
    runStarted = Date.now();
    const first = await ctx.connect(server.address);
    try {
      await startOptimization(first.client, trial.input, trial.workflowId);
    } finally {
      await first.close();
    }
    for (const at of positions) {
      await waitUntil(`${at} LLM replies`, () => trial.proxy.completedUpstream() >= at, 300_000, 10);
      const killedAt = Date.now();
      await server.kill();
      await sleep(Math.floor(outage.next() * 3000));
      const restarting = Date.now();
      await server.restart(); // same SQLite file, same ports
      kills.push({ afterReplies: trial.proxy.completedUpstream(), downMs: Date.now() - killedAt, restartMs: Date.now() - restarting });
    }
    result = await throughOutages(
      'the interrupted run',
      async () => {
        const t = await ctx.connect(server.address);
        try {
          return (await t.client.workflow.getHandle(trial.workflowId).result()) as OptimizeResult;
        } finally {
          await t.close();
        }
      },
      600_000,
    );
    runMs = Date.now() - runStarted;
  } finally {
    await worker.stop();
    await server.stop();
    await trial.proxy.close();
  }

  const same = sameOutcome(result, ref.result);
  const forwarded = trial.proxy.forwardedUpstream();
  const checks = [
    { ok: kills.length >= killCount, why: `only ${kills.length} of ${killCount} server kills happened` },
    { ok: same, why: 'the result differs from the uninterrupted run' },
  ];
  const failed = checks.filter((c) => !c.ok);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const figures = [
    `${kills.length} dev-server SIGKILLs (after ${kills.map((k) => k.afterReplies).join(', ')} LLM replies), restarted on the same SQLite file`,
    `down ${seconds(avg(kills.map((k) => k.downMs)))} on average (restart ${seconds(avg(kills.map((k) => k.restartMs)))})`,
    `run completed in ${seconds(runMs)} (uninterrupted ${seconds(ref.ms)})`,
    `result ${same ? 'equals' : 'DIFFERS from'} the uninterrupted run`,
    `LLM requests ${forwarded} vs ${ref.forwarded} uninterrupted`,
  ].join('; ');
  return rowOf(2, 'Temporal server SIGKILLs during a search', [{ ok: failed.length === 0, why: failed.map((c) => c.why).join('; ') }], figures, Date.now() - started, {
    seed,
    workflowId: trial.workflowId,
    kills,
    forwarded,
    referenceForwarded: ref.forwarded,
  });
}
