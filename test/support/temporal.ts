/**
 * Temporal integration tests run on a real dev server: `TestWorkflowEnvironment.createLocal` with the installed CLI
 * (`existing-path`), never the SDK's internet download. The CLI is resolved like everywhere else in maspo
 * (TEMPORAL_CLI_PATH, PATH, `.maspo/tools/bin/temporal` from `npm run setup`).
 *
 * No CLI found: with CI set this throws — CI must never skip Temporal tests; locally it warns loudly and returns
 * undefined, so callers skip (`describeWithTemporal`, or `if (!env) return`).
 */
import fs from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../core/contracts/search-attributes';
import { maspoDataConverter } from '../../platform/payloads/settings';
import { findTemporalCliSync, isShebangScript } from '../../client/temporal/binary';
import { SINGLE_PARTITION_CONFIG } from '../../client/temporal/dev-server';

let resolved: { path: string | undefined } | undefined;

function inCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return !!ci && ci !== 'false' && ci !== '0';
}

/** The real `temporal` binary for tests, or undefined (local runs only) after a loud warning. Cached per process. */
export function temporalCliForTests(): string | undefined {
  if (resolved) return resolved.path;
  const cli = findTemporalCliSync();
  if (!cli) {
    if (inCi()) {
      throw new Error('CI is set but no Temporal CLI was found (TEMPORAL_CLI_PATH, PATH, .maspo/tools/bin): run `npm run setup` before the tests; Temporal tests must not be skipped in CI');
    }
    console.warn(
      [
        '',
        '################################################################################',
        '  SKIPPING Temporal integration tests: no `temporal` CLI found.',
        '  Run `npm run setup` (installs it into .maspo/tools/bin) or set TEMPORAL_CLI_PATH.',
        '################################################################################',
        '',
      ].join('\n'),
    );
    resolved = { path: undefined };
    return undefined;
  }
  // The teardown kills only the direct child: pass the binary itself, not a symlink chain or a wrapper.
  const real = fs.realpathSync(cli.path);
  if (isShebangScript(real)) {
    console.warn(`${real} is a script: it must \`exec\` the real temporal binary, or test servers outlive the tests`);
  }
  resolved = { path: real };
  return real;
}

/** `describe` when a CLI is available, `describe.skip` otherwise (throws in CI, see above). */
export function describeWithTemporal(name: string, fn: () => void): void {
  (temporalCliForTests() ? describe : describe.skip)(name, fn);
}

export interface TestEnvOptions {
  namespace?: string;
  /** SQLite file; default in-memory. */
  dbFilename?: string;
  /** Enables the UI on this port (default headless). */
  uiPort?: number;
  /** Appended to `temporal server start-dev`, e.g. ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=200']. */
  extraArgs?: string[];
}

/**
 * A local dev server (random port, in-memory unless `dbFilename`) with every maspo search attribute registered.
 * Its client decodes with the claim-check codec the project's workers use (store and threshold from process.env).
 * Undefined when tests should skip (local run without a CLI). Call `teardown()` in afterAll.
 */
export async function createTestEnv(opts: TestEnvOptions = {}): Promise<TestWorkflowEnvironment | undefined> {
  const cli = temporalCliForTests();
  if (!cli) return undefined;
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: maspoDataConverter() },
    server: {
      executable: { type: 'existing-path', path: cli },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      namespace: opts.namespace,
      dbFilename: opts.dbFilename,
      uiPort: opts.uiPort,
      // The embedded server's dynamic config (one partition per task queue, as the embedded server: dev-server.ts).
      extraArgs: [...SINGLE_PARTITION_CONFIG.flatMap((v) => ['--dynamic-config-value', v]), ...(opts.extraArgs ?? [])],
    },
  });
}

/**
 * One dev server per test file: started before the file's tests, torn down after. Returns a getter, undefined when
 * tests should skip (local run without a CLI; in CI `createTestEnv` throws instead).
 */
export function useTestEnv(opts: TestEnvOptions = {}): () => TestWorkflowEnvironment | undefined {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await createTestEnv(opts);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) console.warn('SKIPPED: no temporal CLI found (run `npm run setup`)');
    return env;
  };
}
