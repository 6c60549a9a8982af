/**
 * Holds the proxy's fault log against the run's workflow histories and result:
 * - every transport fault (429, 5xx, reset, hang) is a failed attempt of the activity that sent the request: the
 *   activity's closing attempt counts it, and its recorded last failure has the fault's error type;
 * - every content fault (truncated, empty, bad verdict, no prompt) is the reply recorded as the activity's result;
 * - a 429's Retry-After is honoured: the request comes back no earlier than the header said (measured at the proxy);
 * - unparseable verdicts in the result totals equal the judge replies in history that strict parsing rejects, and
 *   rejected proposals cover every optimizer reply in history without a <prompt>…</prompt> pair.
 */
import { parseVerdict } from '../../core/search/prompts';
import type { OptimizeResult } from '../../core/contracts/optimize';
import { BAD_VERDICT_TEXT, FAULT_KINDS, NO_PROMPT_TEXT, TRANSPORT_FAULTS, type ArrivalRecord, type FaultKind } from './fault-proxy';
import type { LlmCallRecord } from './history';

/** The error type the activity must record for each transport fault (activities/llm/errors.ts). */
export const EXPECTED_FAILURE_TYPE: Partial<Record<FaultKind, string>> = {
  rateLimited: 'LlmRateLimited',
  serverError: 'LlmServerError',
  reset: 'LlmError',
  hang: 'LlmTimeout',
};

export interface FaultAudit {
  injected: Partial<Record<FaultKind, number>>;
  visible: Partial<Record<FaultKind, number>>;
  /** Faults not found in history, with why. */
  missing: string[];
  /** Measured gap between a 429 and the same request's next arrival, ms, vs the header (s). */
  retryAfter: { headerSeconds: number[]; delaysMs: number[]; early: number };
  /** Gap between a 5xx/reset/hang and the same request's next arrival (the retry policy's backoff), ms. */
  backoffMs: number[];
  unparseable: { inHistory: number; inTotals: number; injected: number };
  rejected: { promptlessInHistory: number; inTotals: number; injected: number };
}

const TOLERANCE_MS = 50;

export function auditFaults(arrivals: ArrivalRecord[], calls: LlmCallRecord[], result: OptimizeResult): FaultAudit {
  const injected: FaultAudit['injected'] = {};
  const visible: FaultAudit['visible'] = {};
  const missing: string[] = [];
  const byKey = groupBy(calls, (c) => c.key);
  const arrivalsByKey = groupBy(arrivals, (a) => a.key);

  for (const [key, list] of arrivalsByKey) {
    const faults = list.filter((a) => a.fault !== 'none');
    if (faults.length === 0) continue;
    for (const f of faults) injected[f.fault as FaultKind] = (injected[f.fault as FaultKind] ?? 0) + 1;
    const activities = byKey.get(key) ?? [];
    const describe = (f: ArrivalRecord) => `${f.fault} on a ${f.role} call (request ${key}, arrival ${f.attempt + 1})`;
    if (activities.length === 0) {
      for (const f of faults) missing.push(`${describe(f)}: no llmCall activity with this request in history`);
      continue;
    }

    const transport = faults.filter((f) => TRANSPORT_FAULTS.includes(f.fault as FaultKind));
    if (transport.length > 0) {
      const retries = activities.reduce((n, a) => n + a.attempt - 1, 0);
      const last = transport[transport.length - 1];
      const recordedTypes = new Set(activities.filter((a) => a.attempt > 1).map((a) => a.lastFailure?.type));
      const want = EXPECTED_FAILURE_TYPE[last.fault as FaultKind];
      if (retries < transport.length) {
        for (const f of transport) missing.push(`${describe(f)}: history shows ${retries} failed attempt(s) for ${transport.length} fault(s)`);
      } else if (!recordedTypes.has(want)) {
        for (const f of transport) missing.push(`${describe(f)}: last failure recorded as ${[...recordedTypes].join(', ') || 'none'}, expected ${want}`);
      } else {
        for (const f of transport) visible[f.fault as FaultKind] = (visible[f.fault as FaultKind] ?? 0) + 1;
      }
    }

    for (const f of faults.filter((x) => !TRANSPORT_FAULTS.includes(x.fault as FaultKind))) {
      const shows = activities.some((a) => a.outcome === 'completed' && a.reply && damageShows(f.fault as FaultKind, a));
      if (shows) visible[f.fault as FaultKind] = (visible[f.fault as FaultKind] ?? 0) + 1;
      else missing.push(`${describe(f)}: no completed activity of this request recorded the damaged reply`);
    }
  }

  // Delays until the same request came back, measured at the proxy. Only for requests made by exactly one activity:
  // two activities sending the same request (e.g. identical prompts in the two held-out evaluations) interleave.
  const retryAfter: FaultAudit['retryAfter'] = { headerSeconds: [], delaysMs: [], early: 0 };
  const backoffMs: number[] = [];
  for (const [key, list] of arrivalsByKey) {
    if ((byKey.get(key) ?? []).length !== 1) continue;
    list.forEach((a, i) => {
      const next = list[i + 1];
      if (!next || a.doneAt === undefined) return;
      const gap = next.t - a.doneAt;
      if (a.fault === 'rateLimited') {
        retryAfter.headerSeconds.push(a.retryAfterSeconds ?? 0);
        retryAfter.delaysMs.push(gap);
        if (gap + TOLERANCE_MS < (a.retryAfterSeconds ?? 0) * 1000) retryAfter.early++;
      } else if (a.fault === 'serverError' || a.fault === 'reset' || a.fault === 'hang') {
        backoffMs.push(gap);
      }
    });
  }

  const profile = result.profile === 'faithful' ? 'faithful' : 'fixed';
  const judgeReplies = calls.filter((c) => c.role === 'judge' && c.outcome === 'completed' && c.reply);
  const optimizerReplies = calls.filter((c) => c.role === 'optimizer' && c.outcome === 'completed' && c.reply);
  return {
    injected,
    visible,
    missing,
    retryAfter,
    backoffMs,
    unparseable: {
      inHistory: judgeReplies.filter((c) => parseVerdict(c.reply!.text, profile) === 'unparseable').length,
      inTotals: result.totals.unparseableVerdicts,
      injected: injected.badVerdict ?? 0,
    },
    rejected: {
      promptlessInHistory: optimizerReplies.filter((c) => !/<prompt>[\s\S]*<\/prompt>/.test(c.reply!.text)).length,
      inTotals: result.totals.rejectedProposals,
      injected: injected.noPrompt ?? 0,
    },
  };
}

function damageShows(kind: FaultKind, call: LlmCallRecord): boolean {
  const r = call.reply!;
  switch (kind) {
    case 'truncated':
      return r.finishReason?.unified === 'length';
    case 'empty':
      return r.empty === true;
    case 'badVerdict':
      return r.text === BAD_VERDICT_TEXT;
    case 'noPrompt':
      return r.text === NO_PROMPT_TEXT;
    default:
      return false;
  }
}

/** Problems with the audit: faults missing from history, early retries, totals that do not match history. */
export function auditProblems(a: FaultAudit): string[] {
  const out = [...a.missing.slice(0, 5)];
  if (a.missing.length > 5) out.push(`… ${a.missing.length - 5} more fault(s) missing from history`);
  if (a.retryAfter.early > 0) out.push(`${a.retryAfter.early} request(s) came back before their Retry-After`);
  if (a.unparseable.inTotals !== a.unparseable.inHistory) {
    out.push(`unparseable verdicts: ${a.unparseable.inTotals} in the result totals, ${a.unparseable.inHistory} judge replies in history fail strict parsing`);
  }
  if (a.unparseable.inHistory < a.unparseable.injected) out.push(`only ${a.unparseable.inHistory} unparseable judge replies in history for ${a.unparseable.injected} injected`);
  if (a.rejected.inTotals < a.rejected.promptlessInHistory) {
    out.push(`rejected proposals: ${a.rejected.inTotals} in the result totals, but ${a.rejected.promptlessInHistory} optimizer replies in history have no <prompt> pair`);
  }
  return out;
}

export function injectedCount(a: FaultAudit): number {
  return FAULT_KINDS.reduce((n, k) => n + (a.injected[k] ?? 0), 0);
}

export function visibleCount(a: FaultAudit): number {
  return FAULT_KINDS.reduce((n, k) => n + (a.visible[k] ?? 0), 0);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}
