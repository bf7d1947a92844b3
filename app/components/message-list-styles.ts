/** The message list: bubbles that fade as they age (the fade keeps AA contrast: see nt-messages). */

import { css } from 'lit';

export const messageListStyles = css`
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.75rem;
    font-size: 0.8rem;
  }
  /* Small text, full-size targets (44 × 44 CSS px, as everywhere in the app). */
  button.link {
    min-width: 44px;
    min-height: 44px;
    padding: 0 0.25rem;
    border: 0;
    background: none;
    color: var(--nt-muted);
    text-decoration: underline;
    font: inherit;
    cursor: pointer;
  }
  .new,
  .tag {
    padding: 0 0.35rem;
    border: 1px solid var(--nt-border);
    border-radius: 0.5rem;
    font-size: 0.75rem;
  }
  .collapsed,
  .fold {
    margin: 0.2rem 0;
    font-style: italic;
  }
  /* nt-chat sizes it: the list takes what the composer and the voice bar leave. */
  :host {
    display: flex;
    flex-direction: column;
  }
  .frame {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
    border: 1px solid var(--nt-border);
    border-radius: 0.75rem;
    background: var(--nt-surface);
  }
  ul {
    flex: 1;
    display: flex;
    flex-direction: column;
    margin: 0;
    padding: 0.75rem;
    overflow-y: auto;
    list-style: none;
  }
  li {
    --fade: calc(var(--age, 0) * 100%);
    --text: color-mix(in srgb, var(--nt-muted) var(--fade), var(--nt-fg));
    align-self: flex-start;
    max-width: min(85%, 32rem);
    margin: 0 0 0.5rem;
    padding: 0.4rem 0.75rem;
    border: 1px solid color-mix(in srgb, var(--nt-surface) var(--fade), var(--nt-border));
    border-radius: 0.75rem;
    background: color-mix(in srgb, var(--nt-surface) var(--fade), var(--nt-bg));
    color: var(--text);
    overflow-wrap: anywhere;
    transition:
      background-color 1s,
      color 1s;
  }
  @media (prefers-reduced-motion: reduce) {
    li {
      transition: none;
    }
  }
  /* A short conversation sits at the bottom, next to the composer, as it grows upwards. */
  li:first-child {
    margin-top: auto;
  }
  li.own {
    align-self: flex-end;
    border-color: color-mix(in srgb, var(--nt-surface) var(--fade), var(--nt-accent));
    background: color-mix(in srgb, var(--nt-surface) var(--fade), var(--nt-own));
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 0 0.5rem;
    font-size: 0.8rem;
    color: var(--nt-muted);
  }
  .name {
    font-weight: 700;
    color: var(--text);
  }
  .left {
    margin-left: auto;
    font-variant-numeric: tabular-nums;
  }
  .text {
    margin: 0;
    white-space: pre-wrap;
  }
  .earlier {
    align-self: center;
    margin: 0.5rem;
  }
  .frame > .hint {
    margin: 0 0.75rem 0.75rem;
    text-align: center;
  }
`;
