/**
 * axe-core, the accessibility checker, run inside the real page: its script is evaluated in the
 * page (once per document) and `axe.run` checks the whole document as it is now, dialogs and
 * all. Not `page.addScriptTag`: the app's CSP (`script-src 'self'`) rightly refuses an inline
 * script tag, while DevTools evaluation is outside the page's CSP — so the CSP stays on. Only serious and critical violations fail a test; each is reported
 * with the rule, the help text and the first offending elements so a failure reads on its own.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Serious and critical violations on the page right now (an empty list is a pass). */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  // Runs in the page; a string keeps DOM types out of the node tsconfig.
  return page.evaluate<AxeFinding[]>(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\\s+/g, ' ') : '')),
      }));
  })()`);
}

/** One line per finding, for the assertion message. */
export function describeFindings(state: string, findings: AxeFinding[]): string {
  return [`axe found ${findings.length} serious/critical violation(s) in "${state}":`, ...findings.map((f) => `  [${f.impact}] ${f.id}: ${f.help}\n    ${f.targets.join('\n    ')}`)].join('\n');
}

/**
 * Checks the page in the light and the dark theme (the app follows the system scheme, which
 * Playwright emulates) and returns to the scheme it started in.
 */
export async function axeBothThemes(page: Page, state: string): Promise<string[]> {
  const problems: string[] = [];
  const start = await page.evaluate<boolean>("matchMedia('(prefers-color-scheme: dark)').matches");
  for (const scheme of start ? (['dark', 'light'] as const) : (['light', 'dark'] as const)) {
    await page.emulateMedia({ colorScheme: scheme });
    // Not waitForFunction: a string predicate is eval'd in the page, which the CSP refuses.
    for (let i = 0; i < 100 && (await page.evaluate<boolean>("document.documentElement.classList.contains('dark')")) !== (scheme === 'dark'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const findings = await axeViolations(page);
    if (findings.length > 0) problems.push(describeFindings(`${state} (${scheme})`, findings));
  }
  await page.emulateMedia({ colorScheme: start ? 'dark' : 'light' });
  return problems;
}
