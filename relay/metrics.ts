/**
 * Prometheus text exposition for the relay's counters and gauges. A dozen series do
 * not justify a client library; label values come from fixed sets (frame types, error
 * codes, reasons, close codes), never from client text, so cardinality stays bounded.
 */

/**
 * A counter with at most one label. The label value is the map key as it is, so the hot
 * path (several increments per forwarded signal) does no string formatting; values are
 * escaped once, at scrape time.
 */
export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelName: string | null = null,
  ) {}

  inc(labelValue = '', by = 1): void {
    this.values.set(labelValue, (this.values.get(labelValue) ?? 0) + by);
  }

  /** Current value for `labelValue` (0 if never incremented). */
  get(labelValue = ''): number {
    return this.values.get(labelValue) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [labelValue, value] of this.values) {
      const labels = this.labelName === null ? '' : `{${this.labelName}="${labelValue.replace(/["\\\n]/g, '_')}"}`;
      lines.push(`${this.name}${labels} ${value}`);
    }
    return lines.join('\n');
  }
}

/** Every series the relay exports. Gauges are read from live state at scrape time. */
export class RelayMetrics {
  readonly framesIn = new Counter('neartalk_frames_in_total', 'Frames received from clients, by type.', 'type');
  readonly framesOut = new Counter('neartalk_frames_out_total', 'Frames sent to clients, by type.', 'type');
  readonly signalsForwarded = new Counter('neartalk_signals_forwarded_total', 'Signals forwarded to a peer.');
  readonly signalsRefused = new Counter('neartalk_signals_refused_total', 'Signals refused, by reason.', 'reason');
  readonly errors = new Counter('neartalk_errors_total', 'Error frames sent, by code.', 'code');
  readonly rateLimited = new Counter('neartalk_rate_limited_total', 'Frames dropped by the per-connection rate limit.');
  readonly presenceHeld = new Counter('neartalk_presence_held_total', 'Joins and leaves held back (presence budget spent, or outbox full).');
  readonly slowReadersCut = new Counter('neartalk_slow_readers_cut_total', 'Connections cut for not reading.');
  readonly heartbeatTimeouts = new Counter('neartalk_heartbeat_timeouts_total', 'Connections dropped for missing pongs.');
  readonly connectionsRejected = new Counter('neartalk_connections_rejected_total', 'Handshakes refused, by reason.', 'reason');
  readonly connectionsClosed = new Counter('neartalk_connections_closed_total', 'Connections closed, by close code.', 'code');

  constructor(private readonly gauges: () => Readonly<Record<string, { help: string; value: number }>>) {}

  /** The whole exposition, in Prometheus text format 0.0.4. */
  render(): string {
    const parts: string[] = [];
    for (const [name, { help, value }] of Object.entries(this.gauges())) {
      parts.push(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`);
    }
    for (const counter of [
      this.framesIn,
      this.framesOut,
      this.signalsForwarded,
      this.signalsRefused,
      this.errors,
      this.rateLimited,
      this.presenceHeld,
      this.slowReadersCut,
      this.heartbeatTimeouts,
      this.connectionsRejected,
      this.connectionsClosed,
    ]) {
      parts.push(counter.render());
    }
    return `${parts.join('\n')}\n`;
  }
}
