/**
 * Durability against the Temporal server itself: SIGKILL the embedded dev server twice during an evaluation and
 * restart it on the same SQLite file; the worker (a separate process) and the client reconnect, and the run
 * completes with the same result as an uninterrupted one.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildEvaluateInput, parseConfigText } from '../client/config';
import { startEvaluation } from '../client/evaluate';
import { startDevServer, stopDevServer } from '../client/temporal/dev-server';
import { SimWorldSchema } from '../core/schema/sim-config';
import type { EvaluateResult } from '../core/contracts/evaluate';
import { maspoDataConverter, payloadSettings } from '../platform/payloads/settings';
import { startSimServer, type SimServer } from '../sim/server';
import { temporalCliForTests } from './support/temporal';
import { tempHome } from './support/evaluation';
import { spawnCli, waitFor, type CliProcess } from './support/processes';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const yaml = (sim: string, queue: string) => `
name: server-crash
seed: 6
taskQueue: ${queue}
dataset: { kind: sim, split: test, size: 30 }
mas:
  topology: chain
  agents:
    - { id: solver, prompt: "Think step by step and show each intermediate result. Put the final answer inside <answer></answer>. {{question}}" }
    - { id: checker, prompt: "Verify each step of the previous solution. Put the final answer inside <answer></answer>. {{context}} {{question}}" }
  edges: [solver -> checker]
models:
  backbone: { provider: openai, model: sim, baseURL: "${sim}/v1", concurrency: 4 }
evaluate: { batchSize: 10, concurrency: 4, llmHeartbeatTimeoutMs: 2000 }
`;

/** A client that reads payloads like the worker running with MASPO_HOME=home (claim-check codec). */
const clientFor = (connection: Connection, home: string) => new Client({ connection, dataConverter: maspoDataConverter(payloadSettings({ MASPO_HOME: home })) });

/** Result of a workflow, retrying while the server is down or restarting. */
async function resultThroughOutages(address: string, workflowId: string, home: string): Promise<EvaluateResult> {
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2000 });
      return (await clientFor(connection, home).workflow.getHandle(workflowId).result()) as EvaluateResult;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
}

const comparable = (r: EvaluateResult) => r.records.map(({ calls: _c, ...rest }) => rest);

test('SIGKILLed Temporal server restarted on the same database: the evaluation completes with the same result', async () => {
  const cliPath = temporalCliForTests();
  if (!cliPath) return console.warn('SKIPPED: no temporal CLI');
  const home = tempHome();
  const [port, uiPort] = [await freePort(), await freePort()];
  const sim: SimServer = await startSimServer({ world: SimWorldSchema.parse({ seed: 6, latency: { distribution: 'fixed', meanMs: 20 } }) });
  let worker: CliProcess | undefined;
  try {
    let server = await startDevServer({ home, port, uiPort, cliPath, detached: true });
    const address = server.state.address;
    const queue = `scrash-${Date.now()}`;
    const file = path.join(home, 'run.yaml');
    writeFileSync(file, yaml(sim.url, queue));
    const input = await buildEvaluateInput({ file, config: parseConfigText(file, yaml(sim.url, queue)) });
    const connection = await Connection.connect({ address });
    await startEvaluation(clientFor(connection, home), input, `eval-${queue}`);
    await connection.close();
    worker = spawnCli(['worker', '--config', file], { ...process.env, TEMPORAL_ADDRESS: address, MASPO_HOME: home, MASPO_LOG_LEVEL: 'ERROR' });

    const start = sim.stats().completed;
    for (const killAt of [15, 35]) {
      await waitFor(`${killAt} completed LLM calls`, () => sim.stats().completed - start >= killAt, 90_000);
      process.kill(server.state.pid, 'SIGKILL');
      await waitFor('the server to die', () => {
        try {
          process.kill(server.state.pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 10_000);
      server = await startDevServer({ home, port, uiPort, cliPath, detached: true }); // same SQLite file
    }
    const interrupted = await resultThroughOutages(address, `eval-${queue}`, home);
    expect(interrupted.summary.n).toBe(30);

    // Reference: the same evaluation uninterrupted, on the restarted server, with a fresh cache.
    worker.child.kill('SIGTERM');
    await worker.exited;
    const refHome = tempHome();
    const refFile = path.join(refHome, 'run.yaml');
    writeFileSync(refFile, yaml(sim.url, `${queue}-ref`));
    worker = spawnCli(['worker', '--config', refFile], { ...process.env, TEMPORAL_ADDRESS: address, MASPO_HOME: refHome, MASPO_LOG_LEVEL: 'ERROR' });
    const c2 = await Connection.connect({ address });
    await startEvaluation(clientFor(c2, refHome), { ...input, taskQueue: `${queue}-ref` }, `eval-${queue}-ref`);
    await c2.close();
    const reference = await resultThroughOutages(address, `eval-${queue}-ref`, refHome);
    expect(comparable(interrupted)).toEqual(comparable(reference));
    expect(interrupted.summary).toEqual(reference.summary);
  } finally {
    worker?.child.kill('SIGKILL');
    await worker?.exited;
    await stopDevServer({ home }).catch(() => undefined);
    await sim.close();
  }
}, 240_000);
