/// <reference lib="dom" />
/**
 * The Temporal UI on the default path shows payloads decoded. `maspo optimize` / `evaluate` start the embedded dev
 * server by themselves (ensureDevServer, detached); that server must come with the payload codec endpoint, or the UI's
 * Input panel shows gzipped base64 (`H4sI…`). Headless Chromium opens a workflow whose input is above the claim-check
 * threshold and must find the decoded prompt text; `stopDevServer` stops the endpoint with the server.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import puppeteer from 'puppeteer-core';
import { ensureDevServer, stopDevServer } from '../client/temporal/dev-server';
import { maspoDataConverter, payloadSettings } from '../platform/payloads/settings';
import { pidAlive } from '../platform/processes';
import { tempHome } from './support/evaluation';
import { waitFor } from './support/processes';
import { describeWithTemporal, temporalCliForTests } from './support/temporal';
import { findChromium, freePort } from './support/host';

const chromium = findChromium();
if (!chromium && process.env.CI) throw new Error('CI: no Chromium for the UI codec test (apt-get install chromium or set CHROMIUM_PATH)');

describeWithTemporal('the Temporal UI on the default path', () => {
  (chromium ? test : test.skip)('shows a claim-checked workflow input decoded, through the codec endpoint the auto-started server brought', async () => {
    const home = tempHome();
    const [port, uiPort] = [await freePort(), await freePort()];
    const { state } = await ensureDevServer({ home, port, uiPort, cliPath: temporalCliForTests()! });
    try {
      expect(state.codec).toEqual(expect.objectContaining({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }));
      const connection = await Connection.connect({ address: state.address });
      const client = new Client({ connection, dataConverter: maspoDataConverter(payloadSettings({ MASPO_HOME: home })) });
      // A prompt the size of a real one with traces: far above the 16 KiB threshold, so it is gzipped and stored.
      const marker = 'You are a meticulous reviewer of proofs';
      const prompt = `${marker}. ${'Check each step and each calculation. '.repeat(800)}`;
      const workflowId = `ui-codec-${Date.now()}`;
      // No worker polls this queue: the workflow stays open with its input in the first history event.
      const handle = await client.workflow.start('evaluateMas', { taskQueue: `nobody-${workflowId}`, workflowId, args: [{ mas: { agents: [{ id: 'reviewer', prompt }] } }] });
      const url = `${state.uiUrl}/namespaces/default/workflows/${workflowId}/${handle.firstExecutionRunId}/history`;

      const browser = await puppeteer.launch({ executablePath: chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'], defaultViewport: { width: 1600, height: 1200 } });
      try {
        const page = await browser.newPage();
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
        const read = () => page.evaluate(() => document.body?.innerText ?? '');
        await page.waitForFunction((m: string) => document.body?.innerText.includes(m), { timeout: 45_000 }, marker).catch(async (e: Error) => {
          throw new Error(`the decoded prompt never appeared (${e.message}); the page read: ${(await read()).slice(0, 1500).replace(/\s+/g, ' ')}`);
        });
        const text = await read();
        expect(text).not.toMatch(/H4sI/); // no gzip base64 anywhere on the page
        expect(text).not.toMatch(/maspo-claim-check/);
        await page.screenshot({ path: path.join(home, 'ui-input-decoded.png') });
      } finally {
        await browser.close();
      }
      await handle.terminate('test done');
      await connection.close();
    } finally {
      await stopDevServer({ home });
    }
    // The endpoint does not outlive its server.
    await waitFor('the codec endpoint to stop', () => !pidAlive(state.codec!.pid), 10_000);
  }, 180_000);
});
