/**
 * History size of every workflow execution a bench run made (continue-as-new runs counted one by one): events and
 * bytes as stored (the protobuf encoding of the fetched history, payloads as the data converter wrote them), plus
 * the server's own `historySize`, the largest single event, and totals per workflow type. A history the client
 * cannot fetch (a page over its 4 MiB gRPC limit) is counted with the server's figures and flagged.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface ExecutionHistory {
  workflowId: string;
  runId: string;
  type: string;
  events: number;
  bytes: number;
  /** The server's figure (visibility record); undefined on servers that do not report it. */
  serverBytes?: number;
  largestEventBytes: number;
  /** The client could not fetch it (over the gRPC message limit): events and bytes are the server's figures. */
  unreadable?: boolean;
}

export interface HistoryTypeStats {
  executions: number;
  maxEvents: number;
  maxBytes: number;
  totalBytes: number;
}

export interface HistoryStats {
  executions: number;
  totalEvents: number;
  totalBytes: number;
  largestByBytes: ExecutionHistory;
  largestByEvents: ExecutionHistory;
  largestEventBytes: number;
  /** Executions the client could not fetch (see ExecutionHistory.unreadable). */
  unreadable: number;
  byType: Record<string, HistoryTypeStats>;
}

const EventCodec = temporal.api.history.v1.HistoryEvent;
const HistoryCodec = temporal.api.history.v1.History;

export async function measureHistories(client: Client, workflowIdPrefix: string, limit = 20_000): Promise<{ stats: HistoryStats; executions: ExecutionHistory[] }> {
  const executions: ExecutionHistory[] = [];
  for await (const info of client.workflow.list()) {
    if (!info.workflowId.startsWith(workflowIdPrefix)) continue;
    if (executions.length >= limit) throw new Error(`more than ${limit} workflow executions under ${workflowIdPrefix}`);
    const base = { workflowId: info.workflowId, runId: info.runId, type: info.type, serverBytes: info.historySize || undefined };
    let history: temporal.api.history.v1.IHistory;
    try {
      history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    } catch (err) {
      // A history page over the client's gRPC message limit cannot be fetched: the server's own figures stand in.
      if (!/RESOURCE_EXHAUSTED|larger than max/.test(String(err))) throw err;
      executions.push({ ...base, events: info.historyLength, bytes: info.historySize ?? 0, largestEventBytes: 0, unreadable: true });
      continue;
    }
    const events = history.events ?? [];
    let largestEventBytes = 0;
    for (const e of events) largestEventBytes = Math.max(largestEventBytes, EventCodec.encode(e).finish().byteLength);
    executions.push({ ...base, events: events.length, bytes: HistoryCodec.encode(history).finish().byteLength, largestEventBytes });
  }
  if (executions.length === 0) throw new Error(`no workflow executions found under ${workflowIdPrefix}`);
  const byType: Record<string, HistoryTypeStats> = {};
  for (const x of executions) {
    const t = (byType[x.type] ??= { executions: 0, maxEvents: 0, maxBytes: 0, totalBytes: 0 });
    t.executions++;
    t.maxEvents = Math.max(t.maxEvents, x.events);
    t.maxBytes = Math.max(t.maxBytes, x.bytes);
    t.totalBytes += x.bytes;
  }
  const max = (key: 'bytes' | 'events') => executions.reduce((a, b) => (b[key] > a[key] ? b : a));
  return {
    executions,
    stats: {
      executions: executions.length,
      totalEvents: executions.reduce((s, x) => s + x.events, 0),
      totalBytes: executions.reduce((s, x) => s + x.bytes, 0),
      largestByBytes: max('bytes'),
      largestByEvents: max('events'),
      largestEventBytes: Math.max(...executions.map((x) => x.largestEventBytes)),
      unreadable: executions.filter((x) => x.unreadable).length,
      byType,
    },
  };
}
