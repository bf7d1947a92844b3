/**
 * Whether this browser can connect to people at all. NearTalk needs WebRTC peer
 * connections with data channels; some browsers have none (old ones, locked-down builds,
 * WebKitGTK as Debian ships it), and policies or extensions can remove it. Such a browser
 * must be told so plainly instead of throwing on its first neighbour or looking empty.
 * Pure: the caller passes the global scope, so it is tested without a browser.
 */

/** `supported`: peer connections with data channels; otherwise what is missing. */
export type PeerSupport = 'supported' | 'no-peer-connection' | 'no-data-channel';

/**
 * What `scope` (the page's `globalThis`) offers: a constructible `RTCPeerConnection`
 * whose prototype has `createDataChannel`. Never throws, whatever `scope` holds.
 */
export function detectPeerSupport(scope: object): PeerSupport {
  let constructor: unknown;
  try {
    constructor = Reflect.get(scope, 'RTCPeerConnection');
  } catch (err: unknown) {
    // A getter that throws (a broken shim or policy stub) means no usable WebRTC either.
    console.warn('RTCPeerConnection could not be read:', err instanceof Error ? err.message : String(err));
    return 'no-peer-connection';
  }
  if (typeof constructor !== 'function') return 'no-peer-connection';
  const prototype: unknown = Reflect.get(constructor, 'prototype');
  const createDataChannel: unknown = typeof prototype === 'object' && prototype !== null ? Reflect.get(prototype, 'createDataChannel') : undefined;
  return typeof createDataChannel === 'function' ? 'supported' : 'no-data-channel';
}
