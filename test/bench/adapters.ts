/** The adapter for each compared server. */

import type { ServerKind } from './bench-config.ts';
import { neartalkAdapter } from './neartalk-adapter.ts';
import { peerjsAdapter } from './peerjs-adapter.ts';
import type { SignalingAdapter } from './signaling-adapter.ts';
import { yWebrtcAdapter } from './y-webrtc-adapter.ts';

export const ADAPTERS: Readonly<Record<ServerKind, SignalingAdapter>> = {
  neartalk: neartalkAdapter,
  'y-webrtc': yWebrtcAdapter,
  peerjs: peerjsAdapter,
};
