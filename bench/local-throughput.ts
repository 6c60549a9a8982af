/**
 * Throughput of a local model on this machine, by slot count: what a real-model run's wall-clock floor is made of.
 *
 * For each slot count S, a managed llama-server with S slots gets S requests at once, twice over (distinct prompts:
 * nothing comes from the prompt cache), and we read the aggregate generation rate (output tokens ÷ wall-clock) and
 * the prompt-processing rate from llama-server's own `timings`. `maspo plan` forecasts real-model hours from these.
 *
 *   node --import tsx bench/local-throughput.ts --model qwen2.5-coder-0.5b-instruct --slots 1,2,4,8
 *
 * Writes bench/results/real/throughput-<model>.json, and the same file under <home>/llm/throughput/ for `maspo plan`. Run it on an otherwise idle machine: llama.cpp's threads
 * spin-wait, and a busy CPU cuts its speed by an order of magnitude.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureServer, sizeServer, stopServers } from '../activities/llm/providers/local/server';
import { maspoHome } from '../platform/home';
import { throughputFile } from '../activities/llm/providers/local/throughput';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'qwen2.5-coder-0.5b-instruct' },
    slots: { type: 'string', default: '1,2,4,8' },
    'max-tokens': { type: 'string', default: '128' },
    rounds: { type: 'string', default: '2' },
  },
});

const TOPICS = ['a train timetable', 'compound interest', 'a chess opening', 'prime numbers', 'a sorting algorithm', 'the water cycle', 'binary search', 'a budget plan', 'photosynthesis', 'a recursive function', 'the Pythagorean theorem', 'a queue at a bank', 'a hash table', 'tidal forces', 'a coin puzzle', 'a knapsack problem'];

interface Timings {
  prompt_n: number;
  prompt_ms: number;
  predicted_n: number;
  predicted_ms: number;
}

async function ask(baseURL: string, i: number, maxTokens: number): Promise<Timings> {
  const topic = TOPICS[i % TOPICS.length];
  const res = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'bench',
      temperature: 0,
      max_tokens: maxTokens,
      messages: [
        { role: 'system', content: `You are a patient teacher. Request ${i}.` },
        { role: 'user', content: `Explain ${topic} to a student in detail, step by step, with one worked example. (${i})` },
      ],
      // Force the full reply length so every request does the same work.
      ignore_eos: true,
    }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { timings: Timings };
  return body.timings;
}

async function main(): Promise<void> {
  const home = maspoHome();
  const model = values.model!;
  const maxTokens = Number(values['max-tokens']);
  const rounds = Number(values.rounds);
  const rows: Array<{ slots: number; requests: number; wallMs: number; outputTokens: number; aggregateTokPerSec: number; promptTokPerSec: number; perRequestTokPerSec: number }> = [];
  let n = 0;
  for (const slots of values.slots!.split(',').map(Number)) {
    await stopServers(home, model);
    const h = await ensureServer(model, sizeServer({ concurrency: slots, maxTokens }), { home, log: (l) => console.error(l) });
    const started = Date.now();
    const timings: Timings[] = [];
    for (let r = 0; r < rounds; r++) {
      timings.push(...(await Promise.all(Array.from({ length: slots }, () => ask(h.state.baseURL, n++, maxTokens)))));
    }
    const wallMs = Date.now() - started;
    const out = timings.reduce((s, t) => s + t.predicted_n, 0);
    const promptN = timings.reduce((s, t) => s + t.prompt_n, 0);
    const promptMs = timings.reduce((s, t) => s + t.prompt_ms, 0);
    const row = {
      slots,
      requests: timings.length,
      wallMs,
      outputTokens: out,
      aggregateTokPerSec: +(out / (wallMs / 1000)).toFixed(1),
      promptTokPerSec: +(promptN / (promptMs / 1000)).toFixed(1),
      perRequestTokPerSec: +(timings.reduce((s, t) => s + t.predicted_n / (t.predicted_ms / 1000), 0) / timings.length).toFixed(1),
    };
    rows.push(row);
    console.log(`${model}: ${slots} slot(s): ${row.aggregateTokPerSec} tok/s generated in aggregate (${row.perRequestTokPerSec} per request), prompts ${row.promptTokPerSec} tok/s`);
  }
  await stopServers(home, model);
  const dir = path.join(__dirname, 'results', 'real');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `throughput-${model}.json`);
  const doc = `${JSON.stringify({ model, maxTokens, rounds, measuredAt: new Date().toISOString(), cores: os.availableParallelism(), rows }, null, 2)}\n`;
  fs.writeFileSync(file, doc);
  // And where `maspo plan` looks for this host's speed (activities/llm/providers/local/throughput.ts).
  const own = throughputFile(home, model);
  fs.mkdirSync(path.dirname(own), { recursive: true });
  fs.writeFileSync(own, doc);
  console.log(`wrote ${file} and ${own}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
