/**
 * One link to one neighbour: an RTCPeerConnection with a reliable, ordered chat data
 * channel, negotiated with the "perfect negotiation" pattern so both sides may start at
 * once without glare (the polite side rolls back its own offer). The channel is
 * pre-negotiated (id 0) on both sides, so neither waits for `ondatachannel`.
 *
 * Signals go through the relay until the channel opens, then over the channel itself:
 * later renegotiation (voice) needs no relay.
 */

import { encodeLinkSignal, parseLinkSignal, type LinkSignal } from '../core/link-signal.ts';
import type { JsonValue } from '../core/json.ts';
import type { IceServer, PeerId } from '../core/protocol.ts';
import { classifyIceCandidateError, type TurnTrouble } from '../core/turn-trouble.ts';
import { decideIceRestart, ICE_RESTART_RETRY_MS, signalsViaRelay, type SignalRoad } from '../core/ice-restart.ts';

/** A link whose channel is not open by then has failed (blocked network, no route). */
const CONNECT_TIMEOUT_MS = 20_000;
/** Bytes queued on the channel before sends are refused instead of buffered without bound. */
const MAX_CHANNEL_BUFFER_BYTES = 1024 * 1024;

export type LinkState = 'connecting' | 'open' | 'failed' | 'closed';

export interface PeerLinkOptions {
  /** Our relay id when the link was made, and theirs: together they name the link. */
  readonly localId: PeerId;
  readonly remoteId: PeerId;
  readonly iceServers: readonly IceServer[];
  /** Test-only: force relay-only ICE. */
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** Carries a signal through the relay; false when there is no relay. */
  readonly sendViaRelay: (data: JsonValue) => boolean;
  readonly onOpen: () => void;
  /** A text frame from the peer (not yet parsed). */
  readonly onFrame: (text: string) => void;
  /** The link ended; a failed one says when a TURN server was at fault. */
  readonly onClose: (state: 'failed' | 'closed', turnTrouble?: TurnTrouble) => void;
  /** The peer's audio arrived (a new stream for this link). */
  readonly onRemoteAudio: (stream: MediaStream) => void;
  /** Wraps an in-band signal as a data-channel frame (the peer protocol owns the format). */
  readonly wrapNegotiation: (data: JsonValue) => string;
  /**
   * Makes the connection; the browser's RTCPeerConnection by default. The mesh simulation
   * passes node-datachannel's, so the same link code runs in Node.
   */
  readonly createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
}

/** What the mesh needs of a link; `PeerLink` is the WebRTC one, simulations bring their own. */
export interface MeshLink {
  readonly localId: PeerId;
  readonly remoteId: PeerId;
  readonly state: LinkState;
  send(text: string): boolean;
  setAudio(track: MediaStreamTrack | null, isExchanging: boolean): Promise<void>;
  /** A negotiation signal from the other side, and the road it came by (the reply takes the same one). */
  receiveSignal(data: JsonValue, road: SignalRoad): Promise<void>;
  close(): void;
  /** Restarts ICE now (the device's network changed); links without ICE leave it out. */
  restartIce?(): void;
  /** Replaces the ICE servers (renewed TURN credentials); links without ICE leave it out. */
  setIceServers?(iceServers: readonly IceServer[]): void;
}

/** Makes a link from the mesh's options. */
export type LinkFactory = (options: PeerLinkOptions) => MeshLink;

export class PeerLink implements MeshLink {
  readonly localId: PeerId;
  readonly remoteId: PeerId;
  private readonly pc: RTCPeerConnection;
  private readonly channel: RTCDataChannel;
  /** Polite peers give way in offer collisions; exactly one side of a link is polite. */
  private readonly isPolite: boolean;
  private isMakingOffer = false;
  private isIgnoringOffer = false;
  private isSettingRemoteAnswerPending = false;
  private stateValue: LinkState = 'connecting';
  /** What we want for audio; applied to the transceiver whenever one exists or changes. */
  private desiredAudio: { readonly track: MediaStreamTrack | null; readonly isExchanging: boolean } = { track: null, isExchanging: false };
  private readonly connectTimer: ReturnType<typeof setTimeout>;
  /**
   * Signals are applied one at a time, in the order they came: a candidate must not reach
   * the connection before the description it belongs to (libdatachannel refuses it).
   */
  private signalQueue: Promise<void> = Promise.resolve();
  /** Local candidates gathered: with none, ICE cannot succeed. */
  private candidateCount = 0;
  /** What a TURN server told us, if it failed us ("refused" wins over "unreachable"). */
  private turnTrouble: TurnTrouble | null = null;
  /** ICE restarts tried since ICE was last connected (see app/core/ice-restart.ts). */
  private restartsTried = 0;
  /** The road of the last offer the other side made on the open link, until ICE is connected again. */
  private openOfferRoad: SignalRoad | null = null;
  /** The next ICE restart, or the check after one; one at a time. */
  private restartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: PeerLinkOptions) {
    this.localId = options.localId;
    this.remoteId = options.remoteId;
    this.isPolite = options.localId > options.remoteId;
    const configuration: RTCConfiguration = {
      iceServers: toRtcIceServers(options.iceServers),
      ...(options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: options.iceTransportPolicy }),
    };
    this.pc = options.createPeerConnection?.(configuration) ?? new RTCPeerConnection(configuration);
    this.channel = this.pc.createDataChannel('chat', { negotiated: true, id: 0, ordered: true });
    this.pc.onnegotiationneeded = () => void this.offer();
    this.pc.onicecandidate = ({ candidate }) => {
      if (candidate === null || candidate.candidate === '') return;
      this.candidateCount += 1;
      this.signal({
        kind: 'candidate',
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
        usernameFragment: candidate.usernameFragment,
      });
    };
    this.pc.onconnectionstatechange = () => {
      // An open link that fails gets its ICE restarts first (onIceState); one still connecting times out.
      if (this.pc.connectionState === 'failed' && this.stateValue === 'connecting') this.finish('failed');
    };
    this.pc.oniceconnectionstatechange = () => this.onIceState();
    this.pc.onicecandidateerror = (event) => {
      const trouble = classifyIceCandidateError(event.url, event.errorCode);
      if (trouble === 'refused' || (trouble !== null && this.turnTrouble === null)) this.turnTrouble = trouble;
      this.failIfNoCandidates();
    };
    this.pc.onicegatheringstatechange = () => this.failIfNoCandidates();
    this.pc.ontrack = (event) => {
      if (event.track.kind !== 'audio') return;
      options.onRemoteAudio(event.streams[0] ?? new MediaStream([event.track]));
    };
    this.channel.onopen = () => {
      clearTimeout(this.connectTimer);
      this.stateValue = 'open';
      options.onOpen();
    };
    this.channel.onclose = () => this.finish('closed');
    this.channel.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') options.onFrame(event.data);
    };
    this.connectTimer = setTimeout(() => {
      if (this.stateValue === 'connecting') this.finish('failed');
    }, CONNECT_TIMEOUT_MS);
  }

  get state(): LinkState {
    return this.stateValue;
  }

  /**
   * New ICE servers (renewed TURN credentials) for whatever gathers candidates from now
   * on (ICE restarts, renegotiation). Allocations made already keep working: coturn
   * checks a credential's expiry only when an allocation is made.
   */
  setIceServers(iceServers: readonly IceServer[]): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: toRtcIceServers(iceServers) });
    } catch (err: unknown) {
      console.warn(`link ${this.remoteId}: could not renew ICE servers:`, err instanceof Error ? err.message : String(err));
    }
  }

  /** Restarts ICE at once (the device's network changed: new interfaces, new candidates). */
  restartIce(): void {
    if (this.stateValue !== 'open') return;
    this.pc.restartIce();
  }

  /**
   * ICE went down (a network change, a sleep) or came back. Down, the link stays in the
   * mesh while ICE restarts on the same connection; it is given up only when restarts
   * did not bring it back (decideIceRestart).
   */
  private onIceState(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    const iceState = this.pc.iceConnectionState;
    if (iceState === 'connected' || iceState === 'completed') {
      this.restartsTried = 0;
      this.openOfferRoad = null;
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      return;
    }
    if (this.restartTimer !== undefined) return;
    const decision = decideIceRestart({ iceState, wasOpen: this.stateValue === 'open', restartsTried: this.restartsTried, isPolite: this.isPolite });
    if (decision.kind === 'give-up') this.finish('failed');
    if (decision.kind !== 'restart') return;
    this.restartTimer = setTimeout(() => {
      this.restartsTried += 1;
      this.pc.restartIce();
      // Not back by then: the next restart, or the end.
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.onIceState();
      }, ICE_RESTART_RETRY_MS);
    }, decision.delayMs);
  }

  /**
   * Gathering finished without a single local candidate while a TURN server failed us
   * (relay-only ICE with refused credentials, say): no pair can ever form, so say so now
   * rather than after CONNECT_TIMEOUT_MS.
   */
  private failIfNoCandidates(): void {
    const isHopeless = this.pc.iceGatheringState === 'complete' && this.candidateCount === 0 && this.turnTrouble !== null;
    if (isHopeless && this.stateValue === 'connecting') this.finish('failed');
  }

  /** Sends one frame; false if the channel is not open, too far behind, or refuses it. */
  send(text: string): boolean {
    if (this.channel.readyState !== 'open' || this.channel.bufferedAmount > MAX_CHANNEL_BUFFER_BYTES) return false;
    try {
      this.channel.send(text);
      return true;
    } catch {
      // The transport gave way under an open channel (a full send queue, a broken pipe):
      // the frame is lost like one sent a moment later would be, and the channel's close
      // follows. Thrown from here it would end whatever timer or handler was sending.
      return false;
    }
  }

  /**
   * Audio with this peer: `isExchanging` says whether we send and receive audio at all
   * (both in voice, in range, among the nearest); `track` is our microphone, or null to
   * only receive. Direction changes renegotiate over the data channel; the track is
   * swapped without renegotiation.
   */
  async setAudio(track: MediaStreamTrack | null, isExchanging: boolean): Promise<void> {
    this.desiredAudio = { track, isExchanging };
    if (this.stateValue !== 'open') return;
    // Only the impolite side creates the audio line. If both did at once, the polite side
    // would keep a never-negotiated transceiver; stopped, it still makes Chromium fire
    // negotiationneeded after every negotiation, an endless offer/answer loop. Audio needs
    // both sides to pick each other anyway, and the polite side applies its wish when it
    // answers the offer that brings the line (see receiveDescription).
    if (this.audioTransceiver() === undefined && isExchanging && !this.isPolite) {
      this.pc.addTransceiver('audio', { direction: 'inactive' });
    }
    await this.applyAudio();
  }

  /** Puts our wish (`desiredAudio`) on the audio transceiver, if there is one. */
  private async applyAudio(): Promise<void> {
    const transceiver = this.audioTransceiver();
    if (transceiver === undefined) return;
    const { track, isExchanging } = this.desiredAudio;
    const direction: RTCRtpTransceiverDirection = !isExchanging ? 'inactive' : track === null ? 'recvonly' : 'sendrecv';
    const sending = isExchanging ? track : null;
    try {
      if (transceiver.direction !== direction) transceiver.direction = direction;
      if (transceiver.sender.track !== sending) await transceiver.sender.replaceTrack(sending);
    } catch (err: unknown) {
      console.warn(`link ${this.remoteId}: could not change audio:`, err instanceof Error ? err.message : String(err));
    }
  }

  /** The one audio transceiver of this link, if any. */
  private audioTransceiver(): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((transceiver) => transceiver.receiver.track.kind === 'audio' && !isStopping(transceiver));
  }

  /** Handles a signal from the peer (through the relay or in-band), after those before it. Never throws. */
  receiveSignal(data: JsonValue, road: SignalRoad): Promise<void> {
    this.signalQueue = this.signalQueue.then(() => this.applySignal(data, road));
    return this.signalQueue;
  }

  private async applySignal(data: JsonValue, road: SignalRoad): Promise<void> {
    const signal = parseLinkSignal(data);
    if (signal === null || this.stateValue === 'closed' || this.stateValue === 'failed') return;
    // An offer on an open link (an ICE restart, or audio) is answered by the road it came.
    if (signal.kind === 'description' && signal.type === 'offer' && this.stateValue === 'open') this.openOfferRoad = road;
    try {
      if (signal.kind === 'description') await this.receiveDescription(signal.type, signal.sdp);
      else if (signal.kind === 'candidate') await this.receiveCandidate(signal);
    } catch (err: unknown) {
      console.warn(`link ${this.remoteId}: negotiation error:`, err instanceof Error ? err.message : String(err));
    }
  }

  /** Closes the connection; idempotent. */
  close(): void {
    this.finish('closed');
  }

  private async offer(): Promise<void> {
    try {
      this.isMakingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      if (description !== null && description.type === 'offer') {
        this.signal({ kind: 'description', type: 'offer', sdp: description.sdp });
      }
    } catch (err: unknown) {
      console.warn(`link ${this.remoteId}: could not offer:`, err instanceof Error ? err.message : String(err));
    } finally {
      this.isMakingOffer = false;
    }
  }

  private async receiveDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    const isReadyForOffer =
      !this.isMakingOffer && (this.pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
    const isCollision = type === 'offer' && !isReadyForOffer;
    // The impolite side ignores the colliding offer; the polite side rolls back its own
    // (setRemoteDescription does the rollback implicitly) and answers.
    this.isIgnoringOffer = !this.isPolite && isCollision;
    if (this.isIgnoringOffer) return;
    this.isSettingRemoteAnswerPending = type === 'answer';
    await this.pc.setRemoteDescription({ type, sdp });
    this.isSettingRemoteAnswerPending = false;
    if (type === 'offer') {
      // An offer can bring the other side's audio line: answer it with our own wish (the
      // sender decides whether it sends; a peer we did not pick gets no audio from us).
      await this.applyAudio();
      await this.pc.setLocalDescription();
      const answer = this.pc.localDescription;
      if (answer !== null && answer.type === 'answer') this.signal({ kind: 'description', type: 'answer', sdp: answer.sdp });
    }
  }

  private async receiveCandidate(signal: Extract<LinkSignal, { kind: 'candidate' }>): Promise<void> {
    try {
      await this.pc.addIceCandidate({
        candidate: signal.candidate,
        sdpMid: signal.sdpMid,
        sdpMLineIndex: signal.sdpMLineIndex,
        usernameFragment: signal.usernameFragment,
      });
    } catch (err: unknown) {
      // Candidates for an offer we ignored fail to apply; that is expected.
      if (!this.isIgnoringOffer) throw err;
    }
  }

  private signal(signal: LinkSignal): void {
    const data = encodeLinkSignal(signal);
    const isChannelOpen = this.channel.readyState === 'open';
    // While ICE is down (an ICE restart) the channel carries nothing: the relay does, if there is one.
    if (signalsViaRelay(this.pc.iceConnectionState, isChannelOpen, this.openOfferRoad) && this.options.sendViaRelay(data)) return;
    if (isChannelOpen) this.send(this.options.wrapNegotiation(data));
  }

  private finish(state: 'failed' | 'closed'): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    this.stateValue = state;
    clearTimeout(this.connectTimer);
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.pc.oniceconnectionstatechange = null;
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.onconnectionstatechange = null;
    this.pc.onicecandidateerror = null;
    this.pc.onicegatheringstatechange = null;
    this.pc.ontrack = null;
    this.channel.onopen = null;
    this.channel.onclose = null;
    this.channel.onmessage = null;
    this.channel.close();
    this.pc.close();
    if (state === 'failed' && this.turnTrouble !== null) this.options.onClose(state, this.turnTrouble);
    else this.options.onClose(state);
  }
}

/** Our ICE server entries in the shape RTCPeerConnection takes (always a URL list). */
function toRtcIceServers(iceServers: readonly IceServer[]): RTCIceServer[] {
  return iceServers.map((server) => ({ ...server, urls: [server.urls].flat() }));
}

/** A transceiver on its way out (stop() called, or stopped by the other side). */
function isStopping(transceiver: RTCRtpTransceiver): boolean {
  return transceiver.currentDirection === 'stopped' || transceiver.direction === 'stopped';
}
