// Why this file exists: the browser half of tests/it/vscode.rs. It drives a running code-server
// (the real VS Code workbench, with the packaged Session Lens extension installed) in Debian's
// Chromium through playwright-core, the way a developer would: open src/useTodos.ts, see the
// "You struggled here before" code lens, hover `useEffect` and read the question asked about it,
// run "Session Lens: Summarize Session" from the palette and see the summary rendered.
//
// Environment (set by tests/it/vscode.rs): SESSIONLENS_E2E_URL (code-server with ?folder=),
// SESSIONLENS_E2E_OUT (folder for result.json and screenshots), SESSIONLENS_E2E_TMP (where the
// throwaway Chromium profile goes), SESSIONLENS_CHROMIUM.
// Exit code 0 when every check passed; result.json names the failed step otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const URL = process.env.SESSIONLENS_E2E_URL;
const OUT = process.env.SESSIONLENS_E2E_OUT;
const CHROMIUM = process.env.SESSIONLENS_CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT = 90_000;

const t0 = Date.now();
const result = { steps: [], failed: null, error: null };
function lap(step, detail) {
  if (typeof detail === 'string' && detail.length > 300) detail = detail.slice(0, 300) + '…';
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  result.steps.push({ step, at: Number(s), detail });
  console.log(`[${s}s] ${step}${detail ? ': ' + JSON.stringify(detail) : ''}`);
}

/** Runs `fn` as a named step; a failure names the step. */
async function step(name, fn) {
  result.current = name;
  const detail = await fn();
  lap(name, detail);
  return detail;
}

/** The visible text of every frame (webviews nest two iframes deep). */
async function framesText(page) {
  const texts = [];
  for (const f of page.frames()) {
    try {
      texts.push(await f.evaluate(() => (document.body ? document.body.innerText : '')));
    } catch {
      // a frame navigating or gone: skip it this round
    }
  }
  return texts;
}

async function runPalette(page, label) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill('>' + label);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

(async () => {
  if (!URL || !OUT) throw new Error('SESSIONLENS_E2E_URL and SESSIONLENS_E2E_OUT must be set');
  fs.mkdirSync(OUT, { recursive: true });
  const profile = fs.mkdtempSync(path.join(process.env.SESSIONLENS_E2E_TMP || OUT, 'chromium-profile-'));
  // Playwright refuses --user-data-dir in args; launchPersistentContext passes it. The
  // background-networking flags keep Chromium from dialling out on a closed network.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1500, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  let code = 1;
  try {
    await step('workbench loaded', async () => {
      await page.goto(URL);
      await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT });
    });

    await step('src/useTodos.ts open', async () => {
      // Quick Open through the palette's "Go to File" (Ctrl+P may belong to the browser).
      await page.locator('.explorer-folders-view, .monaco-workbench .part.sidebar').first().waitFor();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('useTodos.ts');
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'useTodos.ts' }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-line', { hasText: 'export function useTodos' }).waitFor();
    });

    const lensText = await step('code lens shown', async () => {
      const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'You struggled here before' }).first();
      await lens.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      return (await lens.innerText()).trim();
    });
    await page.screenshot({ path: path.join(OUT, 'vscode-lens.png') });
    lap('screenshot', path.join(OUT, 'vscode-lens.png'));

    const hoverText = await step('hover on useEffect', async () => {
      const line = page.locator('.monaco-editor .view-line', { hasText: 'useEffect(() =>' }).first();
      await line.scrollIntoViewIfNeeded();
      const token = line.locator('span > span', { hasText: /^useEffect$/ }).first();
      const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'what is useEffect actually doing' }).first();
      const deadline = Date.now() + 60_000;
      // The hover is asked for once per position: move off and back until the server answers.
      for (;;) {
        const box = await token.boundingBox();
        await page.mouse.move(box.x + 2, box.y + box.height / 2);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 3 });
        try {
          await hover.waitFor({ state: 'visible', timeout: 5_000 });
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await page.mouse.move(5, 5);
          await page.waitForTimeout(500);
        }
      }
      await page.waitForTimeout(500); // let the widget finish rendering
      return (await hover.innerText()).trim();
    });
    await page.screenshot({ path: path.join(OUT, 'vscode-hover.png') });
    lap('screenshot', path.join(OUT, 'vscode-hover.png'));

    const status = await step('status bar item', async () => {
      const item = page.locator('.statusbar-item', { hasText: /open gap|Session Lens/ }).first();
      await item.waitFor({ state: 'visible', timeout: 30_000 });
      return (await item.innerText()).trim();
    });

    /** Waits for a preview tab titled `tab` and a frame whose text passes `ok`; returns that text. */
    async function previewShows(tab, ok, what) {
      await page.locator('.tab', { hasText: tab }).first().waitFor({ timeout: 30_000 });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const hit = (await framesText(page)).find(ok);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no frame shows ${what}`);
        await page.waitForTimeout(500);
      }
    }

    const lensDetails = await step('code lens click shows the insights', async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
      const link = page.locator('.monaco-editor .codelens-decoration a', { hasText: 'You struggled here before' }).first();
      await link.click();
      const text = await previewShows(/Preview What you learned about/, (t) => t.includes('what is useEffect'), 'the lens details');
      return text;
    });

    const preview = await step('summary shown as a markdown preview', async () => {
      await runPalette(page, 'Session Lens: Summarize Session');
      const text = await previewShows(/Preview Session .* summary/, (t) => t.includes('Next reps') && t.includes('Outcome'), 'the summary (no "Next reps" and "Outcome")');
      return text;
    });
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(OUT, 'vscode-summary.png') });
    lap('screenshot', path.join(OUT, 'vscode-summary.png'));

    Object.assign(result, { lens: lensText, hover: hoverText, status, lensDetails, preview });
    const checks = {
      lens: /You struggled here before/.test(lensText),
      hover: hoverText.includes('what is useEffect actually doing'),
      lensDetails: lensDetails.includes('what is useEffect'),
      preview: preview.includes('Next reps'),
    };
    result.checks = checks;
    code = Object.values(checks).every(Boolean) ? 0 : 1;
    if (code !== 0) result.failed = Object.keys(checks).filter((k) => !checks[k]).join(',');
  } catch (e) {
    result.failed = result.current;
    result.error = String(e && e.stack ? e.stack : e);
    console.log('FAILED at', result.current, ':', e && e.message);
    try {
      await page.screenshot({ path: path.join(OUT, 'vscode-failure.png') });
    } catch {}
  } finally {
    await context.close().catch(() => undefined);
    fs.rmSync(profile, { recursive: true, force: true });
  }
  delete result.current;
  fs.writeFileSync(path.join(OUT, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(code === 0 ? 'PASS' : 'FAIL');
  process.exit(code);
})().catch((e) => {
  console.log('FAILED:', e);
  process.exit(2);
});
