/**
 * A throwaway PostgreSQL cluster for tests of the shared store (MASPO_STORE_URL): fixtures/postgres-cluster.ts
 * (`initdb` into a temp directory, `pg_ctl start`, password authentication over TCP) on a free 127.0.0.1 port, and
 * the policy when the server binaries are missing. No binaries found: with CI set this throws (CI must not skip
 * these tests; `.ci/run` installs the `postgresql` package); locally it warns loudly and callers skip
 * (`describeWithPostgres`).
 */
import { findPostgresBin, startPostgresCluster, type PostgresCluster } from '../../fixtures/postgres-cluster';
import { freePort } from './host';

/** A cluster on 127.0.0.1 (fixtures/postgres-cluster.ts); `urlFor` gives `postgres://maspo_test:<password>@127.0.0.1:<port>/<db>`. */
export type TestPostgres = PostgresCluster;

let resolved: { bin: string | undefined } | undefined;

function inCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return !!ci && ci !== 'false' && ci !== '0';
}

/** The directory holding initdb and pg_ctl: PG_BIN, else pg_ctl on PATH, else the newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinForTests(): string | undefined {
  if (resolved) return resolved.bin;
  const bin = findPostgresBin();
  if (!bin) {
    if (inCi()) {
      throw new Error(
        'CI is set but no PostgreSQL server binaries (initdb, pg_ctl) were found (PG_BIN, PATH, /usr/lib/postgresql/*/bin): ' +
          'install the `postgresql` package (`.ci/run` does as root); the shared-store tests must not be skipped in CI',
      );
    }
    console.warn(
      [
        '',
        '################################################################################',
        '  SKIPPING PostgreSQL store tests: no initdb/pg_ctl found.',
        '  Install the `postgresql` package or set PG_BIN to the directory holding them.',
        '################################################################################',
        '',
      ].join('\n'),
    );
  }
  resolved = { bin };
  return bin;
}

/** `describe` when PostgreSQL is available, `describe.skip` otherwise (throws in CI, see above). */
export function describeWithPostgres(name: string, fn: () => void): void {
  (postgresBinForTests() ? describe : describe.skip)(name, fn);
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinForTests();
  if (!bin) throw new Error('no PostgreSQL binaries: use describeWithPostgres');
  return startPostgresCluster({ bin, port: await freePort() });
}
