/**
 * Draws the PWA's PNG icons from the SVG in public/icon.svg with headless Chromium, so the
 * PNGs are exactly the SVG at each size. Run it after changing the SVG, then commit the PNGs:
 *
 *   npx tsx test/tools/make-icons.ts
 *
 * "any" icons keep the rounded square on a transparent background; maskable icons and the
 * Apple touch icon fill the whole square (the platform cuts its own shape) and keep the
 * rings inside the central 80 % safe zone.
 */

import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../fixture/chromium.ts';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** The brand colour behind the rings; also the manifest's theme colour. */
const BRAND = '#0f766e';

/** A full-bleed square with the rings scaled into the maskable safe zone (radius 40 %). */
const FULL_BLEED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" fill="${BRAND}"/>
  <g transform="translate(32 32) scale(0.72) translate(-32 -32)">
    <circle cx="32" cy="32" r="6" fill="#fff"/>
    <circle cx="32" cy="32" r="15" fill="none" stroke="#fff" stroke-width="4" opacity="0.8"/>
    <circle cx="32" cy="32" r="24" fill="none" stroke="#fff" stroke-width="4" opacity="0.45"/>
  </g>
</svg>`;

interface IconSpec {
  readonly file: string;
  readonly sizePx: number;
  readonly svg: 'rounded' | 'full-bleed';
}

const ICONS: readonly IconSpec[] = [
  { file: 'icons/icon-192.png', sizePx: 192, svg: 'rounded' },
  { file: 'icons/icon-512.png', sizePx: 512, svg: 'rounded' },
  { file: 'icons/maskable-192.png', sizePx: 192, svg: 'full-bleed' },
  { file: 'icons/maskable-512.png', sizePx: 512, svg: 'full-bleed' },
  { file: 'icons/apple-touch-icon.png', sizePx: 180, svg: 'full-bleed' },
];

async function main(): Promise<void> {
  const rounded = await readFile(`${PUBLIC_DIR}icon.svg`, 'utf8');
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    for (const icon of ICONS) {
      const page = await browser.newPage({ viewport: { width: icon.sizePx, height: icon.sizePx }, deviceScaleFactor: 1 });
      const svg = (icon.svg === 'rounded' ? rounded : FULL_BLEED_SVG).replace('<svg ', `<svg width="${icon.sizePx}" height="${icon.sizePx}" `);
      await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${svg}`);
      const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: icon.sizePx, height: icon.sizePx } });
      await writeFile(`${PUBLIC_DIR}${icon.file}`, png);
      await page.close();
      process.stdout.write(`${icon.file}: ${icon.sizePx}×${icon.sizePx}, ${png.length} bytes\n`);
    }
  } finally {
    await browser.close();
  }
}

await main();
