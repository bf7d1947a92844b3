/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Relay WebSocket URL baked in at build time (`ws:` or `wss:`); unset means the page's own origin. */
  readonly VITE_RELAY_URL?: string;
}
