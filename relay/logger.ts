/**
 * Structured JSON-line logging. Log lines never carry personal data: no coordinates
 * (the relay never has them), no message content, and at info level no full IP
 * address (see `maskIp`).
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, string | number | boolean | null>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger writing one JSON object per line to `write` (stdout by default). */
export function createLogger(level: LogLevel, write: (line: string) => void): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit =
    (lineLevel: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: message, ...fields })}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything (the default for embedded relays and tests). */
export const silentLogger: Logger = createLogger('silent', () => undefined);

/**
 * Coarsens an IP address for logs: IPv4 to its /24, IPv6 to its /48, so a log line
 * can show abuse from a network without identifying a person.
 */
export function maskIp(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(address);
  if (v4 !== null) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (/^[0-9a-f:]+$/i.test(address) && address.includes(':')) {
    const [head = '', tail] = address.split('::');
    const headGroups = head === '' ? [] : head.split(':');
    // With `::` the missing groups are zeros; without it all eight are written out.
    const groups = tail === undefined ? headGroups : [...headGroups, '0', '0', '0'];
    return `${groups.slice(0, 3).map((group) => group.replace(/^0+(?=.)/, '') || '0').join(':')}::/48`;
  }
  return 'unknown';
}
