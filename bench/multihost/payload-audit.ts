/**
 * Who wrote each claim-checked payload and who read it, from the database's own records, not from maspo's:
 *   - the writer: the row's `written_from` (migration 2: the client address of the connection that inserted it);
 *   - the readers: PostgreSQL's statement log (`log_statement=all`, `%h` = client address in every line), each
 *     `SELECT … FROM maspo_payload_blobs WHERE digest = $1` with its parameter, paired by backend pid.
 * Every host has its own MASPO_HOME and no shared disk, so a blob read from a host other than its writer's is a
 * payload that crossed hosts through the shared store. Reads from the harness's observer address are left out.
 */
import fs from 'node:fs';
import { Client } from 'pg';
import type { HostNetwork } from './network';

export interface PayloadAudit {
  blobs: number;
  /** Blobs per writing host. */
  writtenBy: Record<string, number>;
  /** Blob reads per reading host (observer excluded). */
  readsBy: Record<string, number>;
  /** Blobs read by at least one host other than their writer. */
  readElsewhere: number;
  /** Blobs read by their writer only, and blobs never read by any host. */
  readOnlyByWriter: number;
  neverRead: number;
  /** `writer → reader`: blobs of that writer read on that reader. */
  crossings: Record<string, number>;
}

const READ_SQL = /FROM maspo_payload_blobs WHERE digest = \$1/;
const LINE = /^\S+ \S+ \S+ (\S*) \[(\d+)\] (LOG|DETAIL):\s+(.*)$/;

export async function auditPayloads(storeUrl: string, postgresLog: string, net: HostNetwork): Promise<PayloadAudit> {
  const db = new Client({ connectionString: storeUrl });
  await db.connect();
  let rows: Array<{ digest: string; writer: string | null }>;
  try {
    rows = (await db.query<{ digest: string; writer: string | null }>('SELECT digest, host(written_from) AS writer FROM maspo_payload_blobs')).rows;
  } finally {
    await db.end();
  }
  const writerOf = new Map(rows.map((r) => [r.digest, net.labelOf(r.writer)]));
  const readersOf = new Map<string, Set<string>>();
  const readsBy: Record<string, number> = {};
  const lastStatement = new Map<string, string>();
  for (const line of fs.readFileSync(postgresLog, 'utf8').split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, address, pid, kind, text] = m;
    if (kind === 'LOG') {
      lastStatement.set(pid, text);
      continue;
    }
    const digest = /^parameters: \$1 = '([0-9a-f]{64})'/.exec(text)?.[1];
    if (!digest || !READ_SQL.test(lastStatement.get(pid) ?? '')) continue;
    const reader = net.labelOf(address);
    if (reader === 'observer') continue;
    readsBy[reader] = (readsBy[reader] ?? 0) + 1;
    if (!readersOf.has(digest)) readersOf.set(digest, new Set());
    readersOf.get(digest)!.add(reader);
  }

  const writtenBy: Record<string, number> = {};
  const crossings: Record<string, number> = {};
  let readElsewhere = 0;
  let readOnlyByWriter = 0;
  let neverRead = 0;
  for (const [digest, writer] of writerOf) {
    writtenBy[writer] = (writtenBy[writer] ?? 0) + 1;
    const readers = readersOf.get(digest) ?? new Set<string>();
    const others = [...readers].filter((r) => r !== writer);
    if (others.length > 0) readElsewhere++;
    else if (readers.size > 0) readOnlyByWriter++;
    else neverRead++;
    for (const r of others) crossings[`${writer} → ${r}`] = (crossings[`${writer} → ${r}`] ?? 0) + 1;
  }
  return { blobs: writerOf.size, writtenBy, readsBy, readElsewhere, readOnlyByWriter, neverRead, crossings };
}
