/**
 * Reading a run's audit trail back from Temporal: every execution of the run's workflow tree (the run, its
 * continue-as-new chain and every child, all ids prefixed by the run's id), their histories as JSON, and the LLM calls
 * in them — input, attempts, the last failure before success, the reply. The chaos scenarios check injected faults
 * against these records, and the secrets scenario scans the exported JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { requestKeyOf } from './fault-proxy';

type History = temporal.api.history.v1.IHistory;

export interface ExecutionHistory {
  workflowId: string;
  runId: string;
  history: History;
}

/** Every execution whose id is the run's id or starts with `<id>/` (children, grandchildren), with its history. */
export async function runHistories(client: Client, workflowId: string): Promise<ExecutionHistory[]> {
  const out: ExecutionHistory[] = [];
  const ids: Array<{ workflowId: string; runId: string }> = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = "${workflowId}" OR WorkflowId STARTS_WITH "${workflowId}/"` })) {
    ids.push({ workflowId: w.workflowId, runId: w.runId });
  }
  for (const id of ids) {
    out.push({ ...id, history: await client.workflow.getHandle(id.workflowId, id.runId).fetchHistory() });
  }
  return out;
}

/** A history as plain JSON-able data, every payload decoded through the client's codecs and shown as UTF-8 text. */
export type DecodedHistory = { workflowId: string; runId: string; events: any[] };

/**
 * Decodes the payloads of a history with the client's payload codecs (gzip and claim-check references resolved), so
 * the result shows what the workers really stored: what a search for a secret must read, and what the LLM-call
 * records below are built from. Other byte fields are shown as UTF-8 too; 64-bit numbers as numbers.
 */
export async function decodeHistory(client: Client, h: ExecutionHistory): Promise<DecodedHistory> {
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  const decodePayload = async (p: Payload): Promise<Payload> => {
    let out = [p];
    for (const codec of [...codecs].reverse()) out = await codec.decode(out);
    return out[0];
  };
  const walk = async (v: any): Promise<any> => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (v === null || typeof v !== 'object') return v;
    if (typeof v.toNumber === 'function' && 'low' in v && 'high' in v) return v.toNumber(); // Long
    if (v.metadata && typeof v.metadata === 'object' && v.data instanceof Uint8Array) v = await decodePayload(v as Payload);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = await walk(x);
    return out;
  };
  return { workflowId: h.workflowId, runId: h.runId, events: await walk(h.history.events ?? []) };
}

/**
 * Writes each history to `<dir>/<n>.json` (Temporal's JSON form, payloads base64 as stored, as `temporal workflow
 * show -o json` writes it) and `<n>.decoded.json` (payloads decoded, see decodeHistory). Returns the files written.
 */
export function exportHistories(raw: ExecutionHistory[], decoded: DecodedHistory[], dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  raw.forEach((h, i) => {
    const base = path.join(dir, `${String(i).padStart(4, '0')}-${h.workflowId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120)}`);
    fs.writeFileSync(`${base}.json`, historyToJSON(h.history));
    fs.writeFileSync(`${base}.decoded.json`, JSON.stringify(decoded[i], null, 1));
    files.push(`${base}.json`, `${base}.decoded.json`);
  });
  return files;
}

export interface LlmCallRecord {
  workflowId: string;
  role: string;
  model: string;
  /** The fault proxy's key of this call (model, messages, sample seed). */
  key: string;
  label: string;
  /** Attempt that closed the activity (1 = no retry). */
  attempt: number;
  /** The failure of the attempt before the closing one, as recorded in ActivityTaskStarted. */
  lastFailure?: { type?: string; message?: string };
  outcome: 'completed' | 'failed' | 'timedOut' | 'canceled' | 'open';
  /** Reply of a completed call. */
  reply?: { text: string; empty: boolean; cached: boolean; finishReason: { unified: string } };
  failure?: { type?: string; message?: string };
}

const payloadJson = (p: { data?: string } | undefined): any => (p?.data ? JSON.parse(p.data) : undefined);

function failureInfo(f: any): { type?: string; message?: string } | undefined {
  if (!f) return undefined;
  // An activity failure wraps the application failure that the activity threw.
  const app = f.applicationFailureInfo ? f : f.cause ?? f;
  return { type: app.applicationFailureInfo?.type ?? undefined, message: app.message ?? f.message ?? undefined };
}

/** Every `llmCall` activity of the histories, with its attempts and outcome. */
export function llmCalls(histories: DecodedHistory[]): LlmCallRecord[] {
  const out: LlmCallRecord[] = [];
  for (const { workflowId, events } of histories) {
    const byScheduled = new Map<string, LlmCallRecord>();
    for (const ev of events) {
      const s = ev.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name === 'llmCall') {
        const [spec, request] = (s.input?.payloads ?? []).map(payloadJson);
        const rec: LlmCallRecord = {
          workflowId,
          role: request.role,
          model: spec.model,
          key: requestKeyOf(spec.model, request.messages, request.sampleIndex),
          label: request.label ?? '',
          attempt: 1,
          outcome: 'open',
        };
        byScheduled.set(String(ev.eventId), rec);
        out.push(rec);
        continue;
      }
      const started = ev.activityTaskStartedEventAttributes;
      const rec = (id: unknown) => byScheduled.get(String(id));
      if (started) {
        const r = rec(started.scheduledEventId);
        if (r) {
          r.attempt = started.attempt ?? 1;
          r.lastFailure = failureInfo(started.lastFailure);
        }
      } else if (ev.activityTaskCompletedEventAttributes) {
        const r = rec(ev.activityTaskCompletedEventAttributes.scheduledEventId);
        if (r) {
          r.outcome = 'completed';
          r.reply = payloadJson(ev.activityTaskCompletedEventAttributes.result?.payloads?.[0]);
        }
      } else if (ev.activityTaskFailedEventAttributes) {
        const r = rec(ev.activityTaskFailedEventAttributes.scheduledEventId);
        if (r) ((r.outcome = 'failed'), (r.failure = failureInfo(ev.activityTaskFailedEventAttributes.failure)));
      } else if (ev.activityTaskTimedOutEventAttributes) {
        const r = rec(ev.activityTaskTimedOutEventAttributes.scheduledEventId);
        if (r) ((r.outcome = 'timedOut'), (r.failure = failureInfo(ev.activityTaskTimedOutEventAttributes.failure)));
      } else if (ev.activityTaskCanceledEventAttributes) {
        const r = rec(ev.activityTaskCanceledEventAttributes.scheduledEventId);
        if (r) r.outcome = 'canceled';
      }
    }
  }
  return out;
}

export interface RunRecords {
  raw: ExecutionHistory[];
  decoded: DecodedHistory[];
  calls: LlmCallRecord[];
}

/** The whole workflow tree of a run, decoded, with its LLM calls. */
export async function readRun(client: Client, workflowId: string): Promise<RunRecords> {
  const raw = await runHistories(client, workflowId);
  const decoded: DecodedHistory[] = [];
  for (const h of raw) decoded.push(await decodeHistory(client, h));
  return { raw, decoded, calls: llmCalls(decoded) };
}
