/**
 * The screens after the first, each loaded when it is about to be needed: the first
 * screen (intro and status) is all the initial JavaScript carries.
 */

import type { ElementLoaders } from '../controllers/lazy-elements-controller.ts';

export type LazyScreen = 'nt-location-problem' | 'nt-username-form' | 'nt-chat';

export const LAZY_SCREENS: ElementLoaders<LazyScreen> = {
  'nt-location-problem': () => import('./nt-location-problem.ts'),
  'nt-username-form': () => import('./nt-username-form.ts'),
  'nt-chat': () => import('./nt-chat.ts'),
};

export function isLazyScreen(tag: string): tag is LazyScreen {
  return Object.hasOwn(LAZY_SCREENS, tag);
}
