/**
 * Helpers for the console's browser tests (one Chromium page against a running Leakwatch): sign-in, the
 * problems a page reports (CSP violations, script errors), keyboard focus, accessible names as Chromium
 * computes them, horizontal overflow and the colours actually painted.
 *
 * Page-side code is passed as strings: the tests are type-checked for Node, without the DOM's types.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** A new page whose CSP violations and uncaught script errors are appended to `problems`. */
export async function watchedPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  return page;
}

/** Opens the console at `baseUrl` and signs in with `key` (mouse and keyboard as a user would). */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#whoami').waitFor();
}

/** Whether the focused element matches a CSS selector. */
export const focusedMatches = (page: Page, selector: string): Promise<boolean> =>
  page.evaluate<boolean>(`!!document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`);

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, { max = 150, backwards = false } = {}): Promise<void> {
  for (let i = 0; i <= max; i++) {
    if (await focusedMatches(page, selector)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${max} presses of Tab never focused ${selector}`);
}

export interface NameCheck {
  /** Controls in the accessibility tree (rendered, not hidden). */
  checked: number;
  /** The start of the markup of each one without an accessible name. */
  unnamed: string[];
}

/**
 * Every rendered input, select, textarea and button of the page, and those without an accessible name, as
 * Chromium's accessibility tree computes it (labels, aria-label/labelledby, content, title, placeholder…).
 */
export async function controlsWithoutName(page: Page): Promise<NameCheck> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: 'input:not([type="hidden"]), select, textarea, button' });
    const result: NameCheck = { checked: 0, unnamed: [] };
    for (const nodeId of nodeIds) {
      const { node: domNode } = await cdp.send('DOM.describeNode', { nodeId });
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const node = nodes.find((n) => n.backendDOMNodeId === domNode.backendNodeId) ?? nodes[0];
      if (!node || node.ignored) continue; // not rendered (display: none, hidden)
      result.checked++;
      if (!String(node.name?.value ?? '').trim()) result.unnamed.push((await cdp.send('DOM.getOuterHTML', { nodeId })).outerHTML.slice(0, 160));
    }
    return result;
  } finally {
    await cdp.detach();
  }
}

/** How many CSS pixels the page is wider than the window (≤ 0: no horizontal scrolling). */
export const horizontalOverflow = (page: Page): Promise<number> => page.evaluate<number>(`document.documentElement.scrollWidth - window.innerWidth`);

/** The relative luminance (0 black … 1 white, WCAG) of a computed colour property of the first match. */
export async function luminance(page: Page, selector: string, property: 'background-color' | 'color'): Promise<number> {
  const css = await page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`);
  const rgb = /rgba?\((\d+(?:\.\d+)?)[ ,]+(\d+(?:\.\d+)?)[ ,]+(\d+(?:\.\d+)?)/.exec(css);
  if (!rgb) throw new Error(`${selector} ${property} is not an rgb() colour: ${css}`);
  const [r, g, b] = rgb.slice(1, 4).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
