/**
 * Checks the browser tests share: axe on the whole page (shadow roots included), the
 * focused element through shadow roots, horizontal overflow, and touch target sizes.
 */

import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Runs axe on the page as it is now; fails on any serious or critical violation, naming each. */
export async function expectNoSeriousAxeViolations(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' > ')).join('; ')}`);
  expect(serious, `axe on ${screen}`).toEqual([]);
  // A check that ran nothing would pass anything.
  expect(results.passes.length, `axe checked ${screen}`).toBeGreaterThan(10);
}

export interface FocusedElement {
  readonly tag: string;
  readonly label: string;
  readonly outlineStyle: string;
  readonly outlineWidthPx: number;
}

/** The element that has focus, looked up through shadow roots, and its focus outline. */
export async function focusedElement(page: Page): Promise<FocusedElement | null> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (element === null || element === document.body) return null;
    const style = getComputedStyle(element);
    const label = element.getAttribute('aria-label') ?? (element.textContent ?? '').trim();
    return { tag: element.localName, label, outlineStyle: style.outlineStyle, outlineWidthPx: Number.parseFloat(style.outlineWidth) };
  });
}

/** Fails when the page scrolls sideways. */
export async function expectNoHorizontalScroll(page: Page, screen: string): Promise<void> {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: document.documentElement.clientWidth }));
  expect(widths.scroll, `page width on ${screen}`).toBeLessThanOrEqual(widths.view);
}

/**
 * Every visible control smaller than 44 × 44 CSS pixels, as "label: w×h". For checkboxes
 * the target is their label (a tap on it toggles them); text inputs and sliders need the
 * height (their width follows the layout).
 */
export async function smallTouchTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const MIN = 44;
    const found: string[] = [];
    const visit = (root: Document | ShadowRoot): void => {
      for (const element of root.querySelectorAll<HTMLElement>('*')) {
        if (element.shadowRoot !== null) visit(element.shadowRoot);
        const isControl = element.matches('button, summary, a[href], select, input, [role="tab"]');
        if (!isControl) continue;
        const target = element.matches('input[type="checkbox"], input[type="radio"]') ? element.closest('label') ?? element : element;
        const box = target.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        const needsWidth = !element.matches('input[type="text"], input[type="range"]');
        if (box.height < MIN - 0.5 || (needsWidth && box.width < MIN - 0.5)) {
          const label = element.getAttribute('aria-label') ?? target.textContent?.trim() ?? element.localName;
          found.push(`${label || element.localName}: ${Math.round(box.width)}×${Math.round(box.height)}`);
        }
      }
    };
    visit(document);
    return found;
  });
}
