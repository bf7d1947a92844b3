/** The app shell's layout: header, update line, the main column. */

import { css } from 'lit';

export const appStyles = css`
  :host {
    min-height: 100vh;
    min-height: 100dvh;
    background: var(--nt-bg);
    color: var(--nt-fg);
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    line-height: 1.5;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.25rem 1rem;
    padding: 0.5rem 1rem;
    border-bottom: 1px solid var(--nt-border);
    background: var(--nt-surface);
  }
  h1 {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    margin: 0;
    font-size: 1.25rem;
  }
  main {
    max-width: 72rem;
    margin: 0 auto;
    padding: 1rem;
  }
  .screen:focus {
    outline: none;
  }
`;
