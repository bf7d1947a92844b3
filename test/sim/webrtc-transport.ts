/**
 * Real WebRTC in Node: the app's PeerLink over node-datachannel (libdatachannel), on
 * 127.0.0.1 only. Same link code as the browser; see `node-peer-connection.ts` for the
 * polyfill gaps filled.
 */

import { cleanup } from 'node-datachannel';
import { PeerLink, type LinkFactory } from '../../app/net/peer-link.ts';
import { NodePeerConnection } from './node-peer-connection.ts';

/** Makes PeerLinks on node-datachannel (pass as PeerNode's `createLink`). */
export const createWebRtcLink: LinkFactory = (options) =>
  new PeerLink({
    ...options,
    // The polyfill's class stands in for the DOM's; the link uses only what it implements.
    createPeerConnection: (configuration) => new NodePeerConnection(configuration) as unknown as RTCPeerConnection,
  });

/** How long links just closed get to finish closing (their channels close on the next turns). */
const CLOSE_GRACE_MS = 100;

/**
 * Stops libdatachannel's threads once every connection is closed, so the process can exit:
 * call it after closing every link. Its cleanup sometimes gives up ("cleanup timeout
 * (possible deadlock)", seen once in a dozen 200-peer runs): that is said, not thrown, so
 * the run's figures are not lost; the bench then ends its process itself.
 */
export async function shutDownWebRtc(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS));
  try {
    cleanup();
  } catch (err: unknown) {
    console.error(`webrtc: libdatachannel's cleanup failed (${err instanceof Error ? err.message : String(err)}); native threads may be left`);
  }
}
