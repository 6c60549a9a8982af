/**
 * Fences for untrusted text (dataset questions, agent outputs, prompts under optimisation) inside our meta-prompts.
 *
 * A block reads
 *     =====BEGIN <label> <id>=====
 *     <text, verbatim>
 *     =====END <label> <id>=====
 * where <id> is derived from a hash of ALL the texts fenced in one prompt, and re-derived until it occurs in none
 * of them. So the id is deterministic (same inputs, same prompt: cache- and replay-friendly) but no fenced text can
 * contain a matching END line: to forge one, a text would have to contain the hash of itself.
 *
 * Labels are short tokens without spaces (`question`, `A`, `trace2.output`). Readers (the simulator, tests) use
 * `readFences`, which returns blocks in order of appearance.
 */
import { hashString } from '../common/prng';

export interface Fenced {
  label: string;
  text: string;
}

/** The fence id for a prompt that will contain `texts`. */
export function fenceId(texts: readonly string[], salt = 'maspo'): string {
  const joined = texts.join('\u0000');
  for (let attempt = 0; ; attempt++) {
    const id = hashString(joined, hashString(`${salt}:${attempt}`) >>> 0).toString(36).padStart(11, '0').slice(-10);
    if (!texts.some((t) => t.includes(id))) return id;
  }
}

export function fence(label: string, text: string, id: string): string {
  if (/\s/.test(label)) throw new Error(`fence label must not contain spaces: '${label}'`);
  return `=====BEGIN ${label} ${id}=====\n${text}\n=====END ${label} ${id}=====`;
}

const BEGIN_RE = /^=====BEGIN (\S+) ([0-9a-z]{10})=====$/m;

/** All fenced blocks of a prompt, in order. Blocks are matched on the id of the first BEGIN line. */
export function readFences(prompt: string): Fenced[] {
  const first = BEGIN_RE.exec(prompt);
  if (!first) return [];
  const id = first[2];
  const out: Fenced[] = [];
  const re = new RegExp(`^=====BEGIN (\\S+) ${id}=====\\n([\\s\\S]*?)\\n=====END \\1 ${id}=====$`, 'gm');
  for (const m of prompt.matchAll(re)) out.push({ label: m[1], text: m[2] });
  return out;
}

/** The first block with this label, or null. */
export function fenced(blocks: readonly Fenced[], label: string): string | null {
  return blocks.find((b) => b.label === label)?.text ?? null;
}
