/** Styles every NearTalk component shares; colours come from `themeStyles`, which nt-app sets. */

import { css } from 'lit';

export const sharedStyles = css`
  :host {
    display: block;
  }
  /* An author display rule would otherwise beat the browser's own [hidden] rule. */
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  * {
    box-sizing: border-box;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  button,
  input {
    font: inherit;
    color: inherit;
  }
  /* Touch targets of at least 44 × 44 CSS pixels. */
  button {
    min-height: 2.75rem;
    min-width: 2.75rem;
    padding: 0.5rem 1rem;
    border: 1px solid var(--nt-accent);
    border-radius: 0.5rem;
    background: var(--nt-accent);
    color: var(--nt-on-accent);
    font-weight: 600;
    cursor: pointer;
  }
  button:hover {
    filter: brightness(1.1);
  }
  input[type='text'] {
    min-height: 2.75rem;
    min-width: 0;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--nt-border);
    border-radius: 0.5rem;
    background: var(--nt-bg);
  }
  input[type='range'] {
    min-height: 2.75rem;
  }
  summary {
    padding-block: 0.625rem;
    cursor: pointer;
  }
  :focus-visible {
    outline: 3px solid var(--nt-focus);
    outline-offset: 2px;
  }
  .error {
    margin: 0.25rem 0 0;
    color: var(--nt-error);
    font-weight: 600;
  }
  .hint {
    color: var(--nt-muted);
  }
  h2,
  h3 {
    margin: 0 0 0.5rem;
    line-height: 1.25;
  }
  h2 {
    font-size: 1.25rem;
  }
  h3 {
    font-size: 1rem;
  }
`;

/** The colour palette, light and dark, as custom properties that inherit into every shadow root. */
export const themeStyles = css`
  :host {
    --nt-bg: #ffffff;
    --nt-fg: #1c1f24;
    --nt-surface: #f2f4f7;
    --nt-border: #c4cad3;
    --nt-muted: #59616d;
    --nt-accent: #1f5fbf;
    --nt-on-accent: #ffffff;
    --nt-own: #e3edfc;
    --nt-focus: #f0a400;
    --nt-error: #b3261e;
    --nt-ok: #1e7b34;
    --nt-warn: #a15c00;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --nt-bg: #15181d;
      --nt-fg: #e8eaee;
      --nt-surface: #20252c;
      --nt-border: #3d4550;
      --nt-muted: #a3abb7;
      --nt-accent: #7fb0ff;
      --nt-on-accent: #0b1a33;
      --nt-own: #1d3152;
      --nt-error: #ff8a80;
      --nt-ok: #6fd08a;
      --nt-warn: #f2b45a;
    }
  }
`;

/** A readable column for the one-question screens (intro, location problems). */
export const columnStyles = css`
  :host {
    max-width: 36rem;
    margin: 0 auto;
  }
  ul,
  ol {
    padding-left: 1.25rem;
  }
`;
