/**
 * node-datachannel's RTCPeerConnection polyfill, made to behave as a browser does where
 * PeerLink relies on it, so PeerLink runs unchanged in Node. Two gaps (node-datachannel
 * 0.33):
 * - it never fires `negotiationneeded` (its own trigger in `createDataChannel` checks a
 *   flag that starts `false` against `null`), and leaves offering to libdatachannel's
 *   auto-negotiation, which makes an offer nobody is told about;
 * - `setLocalDescription()` without a description does nothing (it only acts on an
 *   explicit offer), where the standard makes the offer or answer the state calls for.
 * So: libdatachannel's auto-negotiation is off, `setLocalDescription()` picks offer or
 * answer from the signaling state, and `negotiationneeded` fires as a task after the
 * first data channel while nothing has been negotiated and the state is stable (again
 * whenever the state returns to stable before that, e.g. after a rollback). An offer
 * arriving in have-local-offer is rolled back implicitly by libdatachannel itself, as
 * the standard's setRemoteDescription does. No audio (getTransceivers() is empty).
 *
 * A third gap shows under load: libdatachannel closes a channel on its own thread, and
 * until that reaches JavaScript the polyfill's `readyState` still says 'open' while
 * `send()` throws "DataChannel is closed". A browser's `send()` never throws while
 * `readyState` is 'open' (state changes arrive as tasks; data sent meanwhile is lost with
 * the channel), so here such a send is dropped the same way and the close event follows.
 */

import { PeerConnection } from 'node-datachannel';
import { RTCPeerConnection as PolyfillPeerConnection } from 'node-datachannel/polyfill';

let made = 0;

export class NodePeerConnection extends PolyfillPeerConnection {
  private readonly native: PeerConnection;
  private hasChannel = false;
  private negotiationTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(configuration: RTCConfiguration) {
    made += 1;
    // Loopback only, no STUN/TURN; ICE servers the relay hands out are ignored on purpose.
    const native = new PeerConnection(`sim-${made}`, { iceServers: [], bindAddress: '127.0.0.1', disableAutoNegotiation: true });
    // The polyfill takes a ready-made native connection through this non-standard field.
    super({ ...configuration, iceServers: [], peerConnection: native } as ConstructorParameters<typeof PolyfillPeerConnection>[0]);
    this.native = native;
    this.addEventListener('signalingstatechange', () => {
      if (this.signalingState === 'stable') this.queueNegotiationNeeded();
    });
  }

  override createDataChannel(label: string, init?: RTCDataChannelInit): ReturnType<PolyfillPeerConnection['createDataChannel']> {
    const channel = super.createDataChannel(label, init);
    const send = channel.send.bind(channel);
    channel.send = (data: Parameters<typeof send>[0]): void => {
      try {
        send(data);
      } catch (err: unknown) {
        if (!(err instanceof Error && /DataChannel is closed/.test(err.message))) throw err;
      }
    };
    this.hasChannel = true;
    this.queueNegotiationNeeded();
    return channel;
  }

  override async setLocalDescription(description?: RTCLocalSessionDescriptionInit): Promise<void> {
    const type = description?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    this.native.setLocalDescription(type);
  }

  override close(): void {
    clearTimeout(this.negotiationTimer);
    super.close();
  }

  private queueNegotiationNeeded(): void {
    clearTimeout(this.negotiationTimer);
    this.negotiationTimer = setTimeout(() => {
      const isNegotiated = this.native.remoteDescription() !== null;
      if (this.hasChannel && !isNegotiated && this.signalingState === 'stable' && this.connectionState !== 'closed') {
        this.dispatchEvent(new Event('negotiationneeded'));
      }
    }, 0);
  }
}
