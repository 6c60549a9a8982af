/**
 * The LLM host's program: the simulator's OpenAI-compatible server (sim/server.ts, what `maspo sim serve` runs) on
 * the host's address, plus a control port for the harness with the server's own counters:
 *   GET  /stats      → `stats()` (requests per digest: attempts and completed)
 *   POST /requests   → body: digests (JSON array); the request behind each (`requestOf`, kept for the ledger)
 * Run: `node --import tsx bench/multihost/sim-host.ts '{"host":…,"port":…,"controlPort":…,"world":{…}}'`.
 */
import { createServer } from 'node:http';
import { SimWorldSchema } from '../../core/schema/sim-config';
import { startSimServer } from '../../sim/server';

interface SimHostOptions {
  host: string;
  port: number;
  controlPort: number;
  world: unknown;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as SimHostOptions;
  const sim = await startSimServer({ world: SimWorldSchema.parse(o.world), host: o.host, port: o.port, keepRequests: true });
  const control = createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/stats') return send(sim.stats());
    if (req.method === 'POST' && req.url === '/requests') {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      req.on('end', () => send(Object.fromEntries((JSON.parse(raw) as string[]).map((d) => [d, sim.requestOf(d) ?? null]))));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => control.listen(o.controlPort, o.host, resolve));
  process.stderr.write(`simulator listening on ${sim.url}, control on http://${o.host}:${o.controlPort}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  control.close();
  await sim.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`sim host failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
