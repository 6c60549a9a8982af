/**
 * Fetches one file of one pinned PyPI release through the simple index's JSON form (PEP 691), without pip and
 * without installing anything: pip would try to *build* a source package just to download it.
 *
 * Every file is checked against the sha256 the index publishes for it, streamed to a temporary file and renamed
 * into place, so an interrupted download never leaves a file that looks complete. A file already present with the
 * right hash is not fetched again. `MASPO_PYPI_URL` (or `PIP_INDEX_URL`) points at a mirror.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WheelRef } from './catalogue';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple';

export interface IndexFile {
  filename: string;
  url: string;
  sha256: string;
  size?: number;
}

export type DownloadProgress = (done: number, total: number | undefined) => void;

export function indexUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.MASPO_PYPI_URL?.trim() || env.PIP_INDEX_URL?.trim() || DEFAULT_INDEX_URL).replace(/\/+$/, '');
}

/** PEP 503 name normalisation: runs of `-`, `_`, `.` become one `-`, lower case. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The wheel (`py3-none-any` or any tag) or the sdist of `ref` in the index listing. */
export function pickFile(files: IndexFile[], ref: WheelRef, kind: 'wheel' | 'sdist'): IndexFile | undefined {
  const stem = `${normalizeName(ref.name).replace(/-/g, '_')}-${ref.version}`;
  return files.find((f) => {
    const name = f.filename.toLowerCase();
    return kind === 'wheel' ? name.startsWith(`${stem}-`) && name.endsWith('.whl') : name === `${stem}.tar.gz`;
  });
}

export async function locate(ref: WheelRef, kind: 'wheel' | 'sdist', env: NodeJS.ProcessEnv = process.env): Promise<IndexFile> {
  const url = `${indexUrl(env)}/${normalizeName(ref.name)}/`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  } catch (err) {
    throw new Error(`cannot reach the package index at ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`package index ${url}: HTTP ${res.status}`);
  const body = (await res.json()) as { files?: Array<{ filename: string; url: string; hashes?: { sha256?: string }; size?: number }> };
  const files: IndexFile[] = (body.files ?? [])
    .filter((f) => f.hashes?.sha256)
    .map((f) => ({ filename: f.filename, url: new URL(f.url, url).toString(), sha256: f.hashes!.sha256!, size: f.size }));
  const file = pickFile(files, ref, kind);
  if (!file) throw new Error(`${ref.name}==${ref.version}: no ${kind} in the package index at ${url}`);
  return file;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Downloads `file` into `dir` (or keeps the copy already there when its hash matches); returns its path. */
export async function download(file: IndexFile, dir: string, onProgress: DownloadProgress = () => {}): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, file.filename);
  if (fs.existsSync(target) && (await sha256File(target)) === file.sha256) return target;

  const res = await fetch(file.url);
  if (!res.ok || !res.body) throw new Error(`download of ${file.filename} failed: HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || file.size;
  const partial = `${target}.part-${process.pid}`;
  const hash = createHash('sha256');
  let done = 0;
  try {
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      done += chunk.length;
      onProgress(done, total);
    });
    await pipeline(body, fs.createWriteStream(partial));
    const actual = hash.digest('hex');
    if (actual !== file.sha256) throw new Error(`${file.filename}: sha256 ${actual} does not match the index's ${file.sha256}; refusing it`);
    fs.renameSync(partial, target);
    return target;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}
