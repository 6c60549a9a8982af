/**
 * maspo on several hosts of a namespace network (network.ts), as a user would run it on several machines:
 *   - `db`:     the Temporal server (`temporal server start-dev` bound to the host's address, maspo's search
 *               attributes registered: dev-server.ts `devServerArgs`) and PostgreSQL (fixtures/postgres-cluster.ts,
 *               listening on the host's address, password logins from the subnet);
 *   - `llm`:    the simulator's OpenAI-compatible server (sim-host.ts);
 *   - `w1`…:    `maspo worker --config <copy>`, each with its own MASPO_HOME and nothing shared on disk:
 *               TEMPORAL_ADDRESS, MASPO_STORE_URL and MASPO_PAYLOAD_THRESHOLD are all they share;
 *   - `client`: `maspo optimize <copy> --worker none --detach`.
 * The harness itself watches from the observer address (results, database checks, the simulator's counters).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { connectTemporal, type TemporalConnection } from '../../client/temporal/connection';
import { devServerArgs } from '../../client/temporal/dev-server';
import type { SimServerStats } from '../../sim/server';
import type { SimRequest } from '../../sim/world';
import { closeStores } from '../../platform/stores';
import { startPostgresCluster, type PostgresCluster } from '../../fixtures/postgres-cluster';
import { maspoEnv, throughOutages } from '../chaos/processes';
import { HostProcess } from './host-process';
import { HostNetwork } from './network';

const TEMPORAL_PORT = 7233;
const POSTGRES_PORT = 5432;
const SIM_PORT = 8080;
const SIM_CONTROL_PORT = 8081;
/** Payloads above this many bytes leave the history for the shared store, so most of a search's payloads do. */
export const PAYLOAD_THRESHOLD = '256';

export interface ClusterOptions {
  /** Root of this run's files (one home per host, logs). */
  dir: string;
  workerHosts: number;
  /** The `temporal` binary and PostgreSQL's bin directory. */
  temporalCli: string;
  pgBin: string;
  /** The simulator world (latency, seed). */
  world: unknown;
  /** Log every statement with the client's address (the payload audit reads it); off for timing runs. */
  logStatements?: boolean;
}

export class MultiHostCluster {
  readonly processes: HostProcess[] = [];
  private observers: TemporalConnection[] = [];

  private constructor(
    readonly net: HostNetwork,
    readonly dir: string,
    readonly workerLabels: string[],
    private pg?: PostgresCluster,
  ) {}

  /** Builds the network and brings up the database host and the LLM host. On failure everything is removed. */
  static async start(o: ClusterOptions): Promise<MultiHostCluster> {
    const workers = Array.from({ length: o.workerHosts }, (_, i) => `w${i + 1}`);
    const net = await HostNetwork.create(['db', 'llm', ...workers, 'client']);
    const cluster = new MultiHostCluster(net, o.dir, workers);
    try {
      await cluster.startDatabaseHost(o);
      await cluster.startLlmHost(o.world);
    } catch (err) {
      await cluster.remove();
      throw err;
    }
    return cluster;
  }

  get temporalAddress(): string {
    return `${this.net.host('db').ip}:${TEMPORAL_PORT}`;
  }

  get llmBaseUrl(): string {
    return `http://${this.net.host('llm').ip}:${SIM_PORT}/v1`;
  }

  get postgresLog(): string {
    return this.pg!.logFile;
  }

  /** A fresh database for one run: its URL (every host reaches it at the db host's address). */
  createDatabase(name: string): Promise<string> {
    return this.pg!.createDatabase(name);
  }

  private async startDatabaseHost(o: ClusterOptions): Promise<void> {
    const db = this.net.host('db');
    const logging = o.logStatements
      ? ['log_statement=all', 'log_line_prefix=%m %h [%p] ', 'log_parameter_max_length=80', 'log_connections=on']
      : [];
    this.pg = await startPostgresCluster({
      bin: o.pgBin,
      port: POSTGRES_PORT,
      listen: db.ip,
      wrap: this.net.exec('db'),
      allowNetwork: this.net.subnet,
      settings: ['max_connections=200', ...logging],
    });
    const home = this.homeOf('db');
    const args = devServerArgs({
      dbFile: path.join(home, 'temporal.db'),
      port: TEMPORAL_PORT,
      uiPort: TEMPORAL_PORT + 1000,
      namespace: 'default',
      // Every address of the db host (the later --ip wins over devServerArgs' 127.0.0.1): bound to the host's address
      // alone, the server's frontend dials its own history service at 127.0.0.1 and every request fails.
      extraArgs: ['--ip', '0.0.0.0', '--headless'],
    });
    this.processes.push(new HostProcess('db', [o.temporalCli, ...args], process.env, this.logOf('temporal-server'), this.net));
    const connection = await throughOutages('the Temporal server on the db host', () => Connection.connect({ address: this.temporalAddress, connectTimeout: 2_000 }), 60_000);
    await connection.close();
  }

  private async startLlmHost(world: unknown): Promise<void> {
    const options = JSON.stringify({ host: this.net.host('llm').ip, port: SIM_PORT, controlPort: SIM_CONTROL_PORT, world });
    const sim = new HostProcess('llm', [process.execPath, '--import', 'tsx', path.join(__dirname, 'sim-host.ts'), options], process.env, this.logOf('sim'), this.net);
    this.processes.push(sim);
    await sim.ready('the simulator', /simulator listening/, 60_000);
  }

  /** `<dir>/<label>`: a host's own MASPO_HOME (created). */
  homeOf(label: string): string {
    const home = path.join(this.dir, 'hosts', label);
    fs.mkdirSync(home, { recursive: true });
    return home;
  }

  logOf(name: string): string {
    return path.join(this.dir, 'logs', `${name}.log`);
  }

  /** The environment of a maspo process on a host: its own home, the cluster's address, the shared store. */
  envFor(label: string, storeUrl: string): NodeJS.ProcessEnv {
    return maspoEnv(this.temporalAddress, this.homeOf(label), { MASPO_STORE_URL: storeUrl, MASPO_PAYLOAD_THRESHOLD: PAYLOAD_THRESHOLD, MASPO_PAYLOAD_STORE: '' });
  }

  /** A host's copy of a config file (no shared disk: each host reads its own). */
  copyTo(label: string, file: string): string {
    const copy = path.join(this.homeOf(label), path.basename(file));
    fs.copyFileSync(file, copy);
    return copy;
  }

  /** Starts `maspo worker --config` on each label and waits until all serve their queues. */
  async startWorkers(labels: string[], configFile: string, storeUrl: string): Promise<HostProcess[]> {
    const workers = labels.map((label) => {
      const p = HostProcess.maspo(this.net, label, ['worker', '--config', this.copyTo(label, configFile)], this.envFor(label, storeUrl), this.logOf(`worker-${label}`));
      this.processes.push(p);
      return p;
    });
    await Promise.all(workers.map((w) => w.ready('maspo worker', /worker serving task queue/)));
    return workers;
  }

  /** `maspo optimize <config> --worker none --detach` from the client host; resolves when the workflow is started. */
  async startSearch(configFile: string, storeUrl: string, workflowId: string): Promise<void> {
    const args = ['optimize', this.copyTo('client', configFile), '--worker', 'none', '--detach', '--id', workflowId];
    const cli = HostProcess.maspo(this.net, 'client', args, this.envFor('client', storeUrl), this.logOf('client'));
    this.processes.push(cli);
    const code = await cli.finish(120_000);
    if (code !== 0) throw new Error(`maspo optimize on the client host exited with ${code}: ${cli.lastLines()}`);
  }

  /** A Temporal client on the observer, decoding payloads from `storeUrl` like the hosts do. */
  async observe(storeUrl: string): Promise<TemporalConnection> {
    const env = { ...process.env, TEMPORAL_ADDRESS: this.temporalAddress, TEMPORAL_NAMESPACE: 'default', MASPO_STORE_URL: storeUrl, MASPO_PAYLOAD_THRESHOLD: PAYLOAD_THRESHOLD };
    const temporal = await connectTemporal({ env });
    this.observers.push(temporal);
    return temporal;
  }

  /** The simulator's counters (requests per digest). */
  async simStats(): Promise<SimServerStats> {
    return (await fetch(`http://${this.net.host('llm').ip}:${SIM_CONTROL_PORT}/stats`)).json() as Promise<SimServerStats>;
  }

  /** The requests behind `digests`, as the simulator first parsed them. */
  async simRequests(digests: string[]): Promise<Record<string, SimRequest | null>> {
    const res = await fetch(`http://${this.net.host('llm').ip}:${SIM_CONTROL_PORT}/requests`, { method: 'POST', body: JSON.stringify(digests) });
    return res.json() as Promise<Record<string, SimRequest | null>>;
  }

  /** Stops every process, the database and the network; always safe to call (also after a failed start). */
  async remove(): Promise<void> {
    const problems: string[] = [];
    for (const t of this.observers) await t.close().catch(() => undefined);
    await closeStores();
    await Promise.all(this.processes.map((p) => p.stop().catch(() => undefined)));
    await this.pg?.remove().catch((e: Error) => problems.push(`postgres: ${e.message}`));
    await this.net.remove().catch((e: Error) => problems.push(e.message));
    if (problems.length) throw new Error(problems.join('; '));
  }
}
