/** The chat screen's layout: two columns on wide screens, tabs on narrow ones. */

import { css } from 'lit';

export const chatStyles = css`
  .layout {
    display: grid;
    gap: 1rem;
  }
  .wide {
    grid-template-columns: minmax(0, 1fr) minmax(18rem, 22rem);
    align-items: start;
  }
  /* The list takes what the composer leaves, so the composer stays on the first screen. */
  .conversation {
    display: flex;
    flex-direction: column;
    gap: 0.5rem;
    height: clamp(18rem, calc(100dvh - 8.5rem), 56rem);
  }
  .narrow .conversation {
    height: clamp(16rem, calc(100dvh - 12rem), 56rem);
  }
  nt-messages {
    flex: 1;
    min-height: 0;
  }
  [role='tablist'] {
    display: grid;
    grid-template-columns: 1fr 1fr;
    margin-bottom: 0.75rem;
    border-bottom: 1px solid var(--nt-border);
  }
  [role='tab'] {
    padding-inline: 0.5rem;
    border: 0;
    border-bottom: 3px solid transparent;
    border-radius: 0;
    background: transparent;
    color: var(--nt-fg);
  }
  [role='tab'][aria-selected='true'] {
    border-bottom-color: var(--nt-accent);
    color: var(--nt-accent);
  }
  .badge {
    display: inline-block;
    min-width: 1.5rem;
    margin-left: 0.35rem;
    padding: 0 0.4rem;
    border-radius: 1rem;
    background: var(--nt-accent);
    color: var(--nt-on-accent);
    font-size: 0.8rem;
  }
`;
