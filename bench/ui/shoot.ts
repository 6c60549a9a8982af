/// <reference lib="dom" />
/**
 * Screenshots of single-page apps (the Temporal UI) with the system's Chromium through puppeteer-core. The UI
 * long-polls, so "network idle" never comes: each step waits for text to appear instead.
 * Usage: node --import tsx bench/ui/shoot.ts <out.png> <url> <step>...
 *   steps: wait:<text>  click:<text>  full  size:<width>x<height> (the viewport, default 1600x1000; anywhere in the list)
 */
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Page } from 'puppeteer-core';

/** CHROMIUM_PATH, else the first `chromium` / `chromium-browser` / `google-chrome` on PATH (puppeteer needs a path). */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) return p;
    }
  }
  throw new Error('no chromium on PATH (apt-get install chromium) and CHROMIUM_PATH unset');
}

async function waitForText(page: Page, text: string): Promise<void> {
  try {
    await page.waitForFunction((s: string) => document.body?.innerText.includes(s), { timeout: 30_000 }, text);
  } catch (e) {
    const body = await page.evaluate(() => document.body?.innerText ?? '');
    throw new Error(`"${text}" never appeared (${(e as Error).message}); the page read: ${body.slice(0, 1500).replace(/\s+/g, ' ')}`);
  }
}

async function clickText(page: Page, text: string): Promise<void> {
  const clicked = await page.evaluate((t: string) => {
    const candidates = [...document.querySelectorAll<HTMLElement>('a, button, [role=button], [role=tab], summary, span, div')];
    const el = candidates.find((e) => e.children.length === 0 && e.innerText?.trim() === t) ?? candidates.find((e) => e.innerText?.trim() === t);
    el?.click();
    return Boolean(el);
  }, text);
  if (!clicked) throw new Error(`nothing to click labelled "${text}"`);
}

async function main(): Promise<void> {
  const [out, url, ...steps] = process.argv.slice(2);
  if (!out || !url) throw new Error('usage: shoot.ts <out.png> <url> [wait:<text>] [click:<text>] [full] [size:<w>x<h>]');
  const size = steps.find((s) => s.startsWith('size:'));
  const m = size ? /^size:(\d+)x(\d+)$/.exec(size) : null;
  if (size && !m) throw new Error(`bad ${size}: want size:<width>x<height>`);
  const viewport = m ? { width: Number(m[1]), height: Number(m[2]) } : { width: 1600, height: 1000 };
  const browser = await puppeteer.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'], defaultViewport: viewport });
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    for (const step of steps) {
      if (step.startsWith('wait:')) await waitForText(page, step.slice(5));
      else if (step.startsWith('click:')) await clickText(page, step.slice(6));
      else if (step !== 'full' && !step.startsWith('size:')) throw new Error(`unknown step "${step}"`);
    }
    await new Promise((r) => setTimeout(r, 1500)); // let the rest of the page settle
    await page.screenshot({ path: out, fullPage: steps.includes('full') });
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`shoot: ${(e as Error).message}\n`);
  process.exit(1);
});
