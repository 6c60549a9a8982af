/** What a test needs from this host: a free loopback port, and the system's Chromium for the browser tests. */
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** CHROMIUM_PATH (if it exists), else the first chromium / chromium-browser / google-chrome(-stable) on PATH. */
export function findChromium(): string | undefined {
  const own = process.env.CHROMIUM_PATH?.trim();
  if (own) return existsSync(own) ? own : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      const p = path.join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  return undefined;
}
