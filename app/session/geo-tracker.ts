/**
 * Follows the device's position through the Geolocation API and hands on only the
 * fixes the move throttle lets through. Owns its watch and its one deferral timer.
 */

import { MoveThrottle } from '../core/move-throttle.ts';
import type { Position } from '../core/position.ts';

export type GeoFailure = 'denied' | 'unavailable';

export interface GeoTrackerEvents {
  onPosition(position: Position): void;
  /** Only reported while no position is known; later hiccups keep the last one. */
  onFailure(failure: GeoFailure): void;
}

export class GeoTracker {
  private watchId: number | null = null;
  private deferTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly throttle = new MoveThrottle();
  private hasPosition = false;

  constructor(private readonly events: GeoTrackerEvents) {}

  /** Starts (or restarts, after a refusal) watching the position. */
  start(): void {
    this.stop();
    if (!('geolocation' in navigator)) {
      this.events.onFailure('unavailable');
      return;
    }
    this.watchId = navigator.geolocation.watchPosition(
      (fix) => this.receive({ lat: fix.coords.latitude, lon: fix.coords.longitude }),
      (error) => {
        if (this.hasPosition) return;
        this.events.onFailure(error.code === error.PERMISSION_DENIED ? 'denied' : 'unavailable');
      },
      { enableHighAccuracy: false, maximumAge: 30_000, timeout: 30_000 },
    );
  }

  stop(): void {
    if (this.watchId !== null) navigator.geolocation.clearWatch(this.watchId);
    this.watchId = null;
    clearTimeout(this.deferTimer);
  }

  private receive(position: Position): void {
    const nowMs = Date.now();
    const decision = this.throttle.decide(position, nowMs);
    clearTimeout(this.deferTimer);
    switch (decision.kind) {
      case 'apply':
        this.apply(position, nowMs);
        return;
      case 'defer':
        this.deferTimer = setTimeout(() => this.apply(position, Date.now()), decision.atMs - nowMs);
        return;
      case 'ignore':
        return;
      default:
        decision satisfies never;
    }
  }

  private apply(position: Position, nowMs: number): void {
    this.throttle.markApplied(position, nowMs);
    this.hasPosition = true;
    this.events.onPosition(position);
  }
}
