/**
 * The bench's Markdown report: calls and critical path, time, overhead (search and evaluation job), histories,
 * memory, growth, the real model's slot occupancy and the issues' targets, from the runs of one invocation. Pure
 * formatting; every figure comes from the results passed in.
 */
import { PROFILES, type Series } from './plan';
import { REFERENCE_CALLS, msPerCall, seriesOf, wallRatio, type BenchRun, type TargetCheck } from './targets';
import type { ScenarioResult } from './run-scenario';

export interface ReportHeader {
  date: string;
  mode: string;
  command: string;
  machine: string;
  totalSeconds: number;
}

export function renderReport(h: ReportHeader, runs: readonly BenchRun[], targets: readonly TargetCheck[]): string {
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);
  push(
    `## Engine benchmark (${h.mode}, ${h.date})`,
    '',
    `${h.machine}. Command: \`${h.command}\` (${(h.totalSeconds / 60).toFixed(1)} min in all). The models are the simulator (sim/) behind its OpenAI-compatible HTTP server, reached through the real \`openai\` client (the \`real-*\` run: a real model on the managed llama.cpp server); an embedded Temporal dev server (SQLite) and one worker process, each measured apart. Simulator numbers: they describe this implementation, not real LLMs.`,
    '',
  );

  const paper = runs.filter((r) => r.planned.paper);
  if (paper.length) {
    const p0 = paper[0].planned;
    const size = p0.rounds !== undefined ? `quick stand-in: D=${p0.rounds}, T=${p0.stepsPerRound ?? 3}, otherwise the paper configuration` : 'paper configuration: D=3, T=3, K=2, Ksub=2, |D|=50, |B|=10, predictor → reviewer';
    push(
      `### Calls and critical path (${size})`,
      '',
      `Reference code (study §8): ${int(REFERENCE_CALLS)} calls (3,680 backbone of which 1,100 thrown-away summaries, 68 optimizer, 1,420 judge), critical path ≈ 200 call latencies.`,
      '',
      '| scenario | backbone (summaries) | optimizer | judge | total | ÷ reference | cache hits | tokens in / out | critical path (latencies) | on the path: generation · summary · optimizer · judge |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const { planned, result: r } of paper) {
      const c = r.calls;
      const cp = planned.longReplies ? 'not analysed (no texts logged)' : `${c.criticalPath}`;
      const on = planned.longReplies ? '—' : `${c.criticalPathByRole.generation} · ${c.criticalPathByRole.summary} · ${c.criticalPathByRole.optimizer} · ${c.criticalPathByRole.judge}`;
      push(`| ${planned.id}${r.failure ? ' (failed)' : ''} | ${int(c.byRole.backbone)} (${int(c.summaries)}) | ${int(c.byRole.optimizer)} | ${int(c.byRole.judge)} | ${int(c.calls)} | ${(c.calls / REFERENCE_CALLS).toFixed(2)} | ${int(c.cached)} | ${int(c.tokens.input)} / ${int(c.tokens.output)} | ${cp} | ${on} |`);
    }
    push('');
  }

  const walls = runs.filter((r) => r.planned.paper === 'wall');
  if (walls.length) {
    push(
      '### Wall-clock against the critical path (fixed latency L per call)',
      '',
      '| scenario | wall | critical path × L | wall ÷ (CP × L) | executed chain (latencies) | executed ÷ CP | wall ÷ executed chain − L | call duration p50 / p95 | scheduled → started p50 / p95 | between units (Σ) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const { planned, result: r } of walls) {
      const c = r.calls;
      const L = planned.latencyMs;
      const gaps = c.units.reduce((s, u) => s + u.gapBeforeMs, 0);
      push(
        `| ${planned.id} | ${sec(r.wallMs)} | ${sec(c.criticalPath * L)} | ${fix(wallRatio(r))} | ${c.executedChain} | ${fix(c.executedChain / c.criticalPath)} | ${ms(r.wallMs / c.executedChain - L)} | ${ms(c.durationMs.p50)} / ${ms(c.durationMs.p95)} | ${ms(c.scheduleToStartMs.p50)} / ${ms(c.scheduleToStartMs.p95)} | ${sec(gaps)} |`,
      );
    }
    push('', 'Per unit kind (Σ over the run):', '', '| scenario | unit | units | critical path | executed chain | wall |', '|---|---|---:|---:|---:|---:|');
    for (const { planned, result: r } of walls) {
      const groups = new Map<string, { n: number; cp: number; ex: number; wall: number }>();
      for (const u of r.calls.units) {
        const k = u.kind === 'other' ? 'other' : `${u.kind} ${u.agent}`;
        const g = groups.get(k) ?? { n: 0, cp: 0, ex: 0, wall: 0 };
        g.n++;
        g.cp += u.criticalPath;
        g.ex += u.executedChain;
        g.wall += u.wallMs;
        groups.set(k, g);
      }
      for (const [k, g] of groups) push(`| ${planned.id} | ${k} | ${g.n} | ${g.cp} | ${g.ex} | ${sec(g.wall)} |`);
    }
    push('');
  }

  const zero = runs.filter((r) => r.planned.paper === 'overhead' || r.planned.workload === 'evaluation');
  if (zero.length) {
    push(
      '### Orchestration overhead at L = 0 (the search, and the evaluation job alone)',
      '',
      '| scenario | calls | wall | wall ÷ calls | worker CPU ÷ calls | Temporal server CPU ÷ calls | simulator CPU ÷ calls | scheduled → started p50 / p95 | worker peak RSS |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const { planned, result: r } of zero) {
      const n = r.calls.calls;
      const w = (r.worker.cpuUserMs + r.worker.cpuSystemMs) / n;
      const t = r.temporalServer.cpuMs !== undefined ? r.temporalServer.cpuMs / n : undefined;
      const s = r.simServer ? (r.simServer.cpuUserMs + r.simServer.cpuSystemMs) / n : undefined;
      push(
        `| ${planned.id}${r.failure ? ' (failed)' : ''} | ${int(n)} | ${sec(r.wallMs)} | ${ms(msPerCall(r))} | ${ms(w)} | ${t === undefined ? '—' : ms(t)} | ${s === undefined ? '—' : ms(s)} | ${ms(r.calls.scheduleToStartMs.p50)} / ${ms(r.calls.scheduleToStartMs.p95)} | ${mb(r.worker.peakRssMb)} |`,
      );
    }
    for (const { planned, result: r } of zero) {
      const e = r.evaluation;
      if (planned.workload !== 'evaluation') continue;
      push('', `${planned.id}: \`evaluateMas\` of the paper configuration's MAS (seed prompts) on ${int(planned.items ?? 0)} items of the simulator's test split${e ? `: ${int(e.correct)} correct, ${int(e.errors)} item errors, ${int(e.cachedCalls)} calls from the response cache` : ''}.`);
    }
    push('');
  }

  if (paper.length) {
    push(
      '### Workflow histories',
      '',
      'Bytes as stored: payloads above the claim-check threshold are gzipped or moved to the blob store (platform/payloads); `-nocodec` turns that off.',
      '',
      '| scenario | executions | largest history | most events | largest event | total | claim-check store |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const { planned, result: r } of paper) {
      const h = r.histories;
      push(
        `| ${planned.id}${r.failure ? ' (search failed)' : ''} | ${h.executions}${h.unreadable ? ` (${h.unreadable} too large to fetch: server figures)` : ''} | ${bytes(h.largestByBytes.bytes)} (${h.largestByBytes.type}) | ${int(h.largestByEvents.events)} (${h.largestByEvents.type}) | ${bytes(h.largestEventBytes)} | ${bytes(h.totalBytes)}, ${int(h.totalEvents)} events | ${int(r.payloadStore.files)} blobs, ${bytes(r.payloadStore.bytes)} |`,
      );
    }
    const failedRuns = runs.filter((r) => r.result.failure);
    if (failedRuns.length) push('', ...failedRuns.map(({ planned, result: r }) => `- ${planned.id}: the search failed after ${int(r.calls.calls)} LLM calls: ${r.failure}`));
    push('');
  }

  lines.push(...realModelSection(runs));

  push('### All runs', '', '| scenario | calls | critical path | wall | worker CPU | worker peak RSS | Temporal server peak RSS | simulator (or model server) peak RSS |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { planned, result: r } of runs) {
    const cp = planned.longReplies || planned.workload === 'evaluation' ? '—' : r.calls.criticalPath;
    const third = r.simServer?.peakRssMb ?? r.realModel?.server.peakRssMb;
    push(
      `| ${planned.id}${r.failure ? ' (failed)' : ''} | ${int(r.calls.calls)} | ${cp} | ${sec(r.wallMs)} | ${sec(r.worker.cpuUserMs + r.worker.cpuSystemMs)} | ${mb(r.worker.peakRssMb)} | ${r.temporalServer.peakRssMb === undefined ? '—' : mb(r.temporalServer.peakRssMb)} | ${third === undefined ? '—' : `${mb(third)}${r.realModel ? ' (llama-server)' : ''}`} |`,
    );
  }
  push('');

  const growth = runs.filter((r) => r.planned.series);
  if (growth.length) {
    const g0 = growth[0].planned;
    push(
      `### Growth (L = 0; D=${g0.rounds ?? 3}, T=${g0.stepsPerRound ?? 3}, K=2; one parameter changed at a time from 2 agents, |B|=10, Ksub=2)`,
      '',
      '| profile | series | value | backbone · optimizer · judge | total calls | cache hits | critical path (latencies / calls) | wall |',
      '|---|---|---:|---|---:|---:|---:|---:|',
    );
    const names: Record<Series, string> = { agents: 'agents in the chain', batch: '\\|B\\|', candidates: 'Ksub' };
    for (const p of PROFILES) {
      for (const series of ['agents', 'batch', 'candidates'] as const) {
        for (const run of seriesOf(runs, p, series)) {
          const c = run.result.calls;
          const value = series === 'agents' ? run.planned.agents : series === 'batch' ? run.planned.batchSize : (run.planned.proposalsPerParent ?? 2);
          push(`| ${p} | ${names[series]} | ${value} | ${int(c.byRole.backbone)} · ${int(c.byRole.optimizer)} · ${int(c.byRole.judge)} | ${int(c.calls)} | ${int(c.cached)} | ${c.criticalPath} / ${c.criticalPathCalls} | ${sec(run.result.wallMs)} |`);
        }
      }
    }
    push('');
  }

  if (targets.length) {
    push('### Targets (issue 14)', '', '| target | scenario | measured | limit | status | margin |', '|---|---|---:|---:|---|---|');
    for (const t of targets) {
      const limit = Number.isFinite(t.threshold) ? `${t.atLeast ? '≥ ' : ''}${show(t.threshold, t.unit)}${t.stretch !== undefined ? ` (stretch ${show(t.stretch, t.unit)})` : ''}` : '—';
      push(`| ${cell(t.target)} | ${cell(t.scenario)} | ${t.measured === null ? '—' : show(t.measured, t.unit)} | ${limit} | ${t.status === 'met' ? '**met**' : t.status === 'missed' ? '**missed**' : t.status} | ${t.margin} |`);
    }
    push('');
  }
  return lines.join('\n');
}

/** One line per finished scenario, for the console while the bench runs. */
export function summaryLine(r: ScenarioResult): string {
  const c = r.calls;
  const ratio = wallRatio(r);
  const real = r.realModel;
  return [
    `${r.scenario.id}:`,
    r.failure ? `FAILED after` : '',
    `${c.calls} calls (b ${c.byRole.backbone} · o ${c.byRole.optimizer} · j ${c.byRole.judge}, ${c.cached} cached)`,
    r.scenario.longReplies || r.scenario.workload === 'evaluation' ? '' : `critical path ${c.criticalPath}`,
    `wall ${sec(r.wallMs)}`,
    ratio !== null ? `ratio ${ratio.toFixed(2)}` : `${ms(msPerCall(r))}/call`,
    real ? `S ${real.slots}, every slot busy ${real.occupancy ? pct(real.occupancy.allBusyShare) : '—'}, mean busy ${real.occupancy ? real.occupancy.meanBusy.toFixed(2) : '—'}, wall ÷ (service ÷ S) ${fix(real.wallOverFloor)}` : '',
    `worker ${mb(r.worker.peakRssMb)}`,
    `largest history ${bytes(r.histories.largestByBytes.bytes)} / ${r.histories.largestByEvents.events} events`,
    r.failure ? `\n    ${r.failure}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The real-model run: how busy it kept the server's slots, against the floor its service time allows. */
function realModelSection(runs: readonly BenchRun[]): string[] {
  const real = runs.filter((r) => r.result.realModel);
  if (real.length === 0) return [];
  const p0 = real[0].planned;
  const out = [
    `### Real model: slot occupancy (managed llama.cpp server; D=${p0.rounds ?? 3}, T=${p0.stepsPerRound ?? 3}, K=2, Ksub=${p0.proposalsPerParent ?? 2}, |B|=${p0.batchSize}, |D|=${p0.poolSize ?? 50}, every role on the one model)`,
    '',
    'S = the slots the roles\' concurrency gives the server; occupancy sampled from `GET /slots` every 0.5 s over the search\'s wall-clock; service time = the provider call\'s duration of every call the model answered (cache hits excluded). The floor on wall-clock with S slots is Σ service ÷ S.',
    '',
    '| scenario | S | calls: backbone · optimizer · judge (answered) | tokens in / out | wall | Σ service | Σ service ÷ S | wall ÷ (Σ service ÷ S) | every slot busy | mean busy slots | time with 0 · 1 · … · S slots busy | server CPU | server peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
  ];
  for (const { planned, result: r } of real) {
    const m = r.realModel!;
    const o = m.occupancy;
    out.push(
      `| ${planned.id}${r.failure ? ' (failed)' : ''} | ${m.slots} | ${int(r.calls.byRole.backbone)} · ${int(r.calls.byRole.optimizer)} · ${int(r.calls.byRole.judge)} (${int(m.answeredCalls)}) | ${int(r.calls.tokens.input)} / ${int(r.calls.tokens.output)} | ${sec(r.wallMs)} | ${sec(m.serviceMs)} | ${sec(m.serviceMs / m.slots)} | ${fix(m.wallOverFloor)} | ${o ? pct(o.allBusyShare) : '—'} | ${o ? o.meanBusy.toFixed(2) : '—'} | ${o ? o.byBusy.map((x) => pct(x)).join(' · ') : '—'} | ${m.server.cpuMs === undefined ? '—' : sec(m.server.cpuMs)} | ${m.server.peakRssMb === undefined ? '—' : mb(m.server.peakRssMb)} |`,
    );
  }
  out.push('');
  return out;
}

/** Text for a Markdown table cell (a literal | would end the cell). */
const cell = (text: string) => text.replace(/\|/g, '\\|');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const fix = (n: number | null) => (n === null ? '—' : n.toFixed(2));
const sec = (msv: number) => `${(msv / 1000).toFixed(1)} s`;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const mb = (v: number) => `${Math.round(v)} MB`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  return `${(n / 1024).toFixed(0)} KiB`;
}
function show(v: number, unit: string): string {
  if (unit === 'bytes') return bytes(v);
  if (unit === 'relative' || unit === 'share') return pct(v);
  if (unit === '×') return `${v.toFixed(2)}×`;
  if (unit === 'ms/call') return `${v.toFixed(1)} ms`;
  if (unit === 'MB') return mb(v);
  return int(v);
}
