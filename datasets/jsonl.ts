/**
 * Generic JSONL loader with a field mapping. Every malformed line is reported as `<file>:<line>: <reason>`;
 * a file that fails any check is rejected whole, so an evaluation never runs on half a dataset.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DatasetError } from './errors';

export interface DatasetItem {
  id: string;
  question: string;
  answer: string;
}

export interface JsonlFields {
  id?: string;
  question: string;
  answer: string;
  options?: string;
}

/** Longest line we accept; longer lines are almost always a broken export or a binary file. */
const MAX_LINE_BYTES = 1_000_000;

export async function readDatasetFile(path: string): Promise<{ bytes: Buffer; digest: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${path}: cannot read dataset file (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`);
  }
  return { bytes, digest: createHash('sha256').update(bytes).digest('hex') };
}

export function parseJsonl(path: string, bytes: Buffer, fields: JsonlFields, limit?: number): DatasetItem[] {
  if (bytes.includes(0)) throw new DatasetError(`${path}: binary file (contains NUL bytes), expected JSON Lines text`);
  const lines = bytes.toString('utf8').split(/\r?\n/);
  const items: DatasetItem[] = [];
  const seenIds = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    if (line.trim() === '') continue;
    if (Buffer.byteLength(line) > MAX_LINE_BYTES) throw new DatasetError(`${path}:${lineNo}: line is longer than ${MAX_LINE_BYTES} bytes`);
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new DatasetError(`${path}:${lineNo}: invalid JSON (${(e as Error).message})`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new DatasetError(`${path}:${lineNo}: expected a JSON object`);
    const obj = row as Record<string, unknown>;
    const question = textField(obj, fields.question, path, lineNo);
    const answer = textField(obj, fields.answer, path, lineNo);
    const id = fields.id ? textField(obj, fields.id, path, lineNo) : `line-${lineNo}`;
    if (seenIds.has(id)) throw new DatasetError(`${path}:${lineNo}: duplicate id '${id}' (first on line ${seenIds.get(id)})`);
    seenIds.set(id, lineNo);
    items.push({ id, question: fields.options ? withOptions(question, obj[fields.options], path, lineNo, fields.options) : question, answer });
    if (limit !== undefined && items.length >= limit) break;
  }
  if (items.length === 0) throw new DatasetError(`${path}: the dataset has no items`);
  return items;
}

function textField(obj: Record<string, unknown>, name: string, path: string, lineNo: number): string {
  const v = obj[name];
  if (v === undefined || v === null) throw new DatasetError(`${path}:${lineNo}: missing field '${name}'`);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new DatasetError(`${path}:${lineNo}: field '${name}' must be a string or number`);
  if (v.trim() === '') throw new DatasetError(`${path}:${lineNo}: field '${name}' is empty`);
  return v;
}

function withOptions(question: string, options: unknown, path: string, lineNo: number, name: string): string {
  if (!Array.isArray(options) || options.some((o) => typeof o !== 'string')) {
    throw new DatasetError(`${path}:${lineNo}: field '${name}' must be a list of strings`);
  }
  return `${question}\n\nOptions:\n${(options as string[]).join('\n')}`;
}
