/** The Redis router's Prometheus series, rendered after the relay's own. */

import { Counter } from '../metrics.ts';

export interface RedisGauges {
  readonly isUp: boolean;
  readonly followedCells: number;
  readonly remotePeers: number;
  readonly failedConnects: number;
}

export class RedisMetrics {
  readonly messagesIn = new Counter('neartalk_redis_messages_in_total', 'Messages received from other relays through Redis, by kind.', 'kind');
  readonly invalidMessages = new Counter('neartalk_redis_invalid_messages_total', 'Messages or snapshot entries read from Redis and dropped as malformed, by where.', 'where');
  readonly signalsRouted = new Counter('neartalk_redis_signals_routed_total', 'Signals published to another relay.');
  readonly commandErrors = new Counter('neartalk_redis_command_errors_total', 'Redis commands that failed or timed out.');
  readonly evictions = new Counter('neartalk_redis_remote_peers_dropped_total', 'Peers of other relays forgotten, by reason.', 'reason');
  readonly outages = new Counter('neartalk_redis_outages_total', 'Times the connection to Redis was lost.');

  constructor(private readonly gauges: () => RedisGauges) {}

  render(): string {
    const { isUp, followedCells, remotePeers, failedConnects } = this.gauges();
    const gauge = (name: string, help: string, value: number): string => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`;
    return `${[
      gauge('neartalk_redis_up', '1 while this relay reaches Redis, else 0.', isUp ? 1 : 0),
      gauge('neartalk_redis_followed_cells', 'Precision-5 cells this relay follows on Redis.', followedCells),
      gauge('neartalk_remote_peers', 'Present peers of other relays known here.', remotePeers),
      `# HELP neartalk_redis_connection_errors_total Connection attempts to Redis that failed, and connections lost.\n# TYPE neartalk_redis_connection_errors_total counter\nneartalk_redis_connection_errors_total ${failedConnects}`,
      ...[this.messagesIn, this.invalidMessages, this.signalsRouted, this.commandErrors, this.evictions, this.outages].map((counter) =>
        counter.render(),
      ),
    ].join('\n')}\n`;
  }
}
