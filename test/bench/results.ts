/** Everything one bench run measured, as printed and as written to JSON. */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchConfig, ServerKind } from './bench-config.ts';
import type { CrowdResult } from './crowd-compare.ts';
import type { IdleResult } from './idle-memory.ts';
import type { LatencyResult } from './latency.ts';
import type { PresenceResult } from './presence.ts';
import type { ThroughputResult } from './throughput.ts';
import type { UnderAttackResult } from './under-attack.ts';

/** A test's result for one server, or why it failed (the other servers still run). */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface ServerResults {
  idle?: Outcome<IdleResult>;
  throughput?: Outcome<ThroughputResult>;
  latency?: Outcome<LatencyResult>;
  /** `value` null: the server has no presence at all. */
  presence?: Outcome<PresenceResult | null>;
  /** NearTalk only: a presence flood at 2,000 watchers (test 5). */
  underAttack?: Outcome<UnderAttackResult>;
  /** Test 6, arrivals into a crowd in one cell; `value` null: the server has no presence. */
  crowd?: Outcome<CrowdResult | null>;
}

export interface Environment {
  readonly node: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly loadAverageAtStart: readonly number[];
  readonly serverCore: number;
  readonly loadGeneratorCore: number;
}

export async function attempt<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err: unknown) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The value of a successful outcome, else undefined. */
export function valueOf<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.ok === true ? outcome.value : undefined;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly command: string;
  readonly config: BenchConfig;
  readonly environment: Environment;
  readonly serverNotes: Readonly<Record<ServerKind, string>>;
  readonly servers: Readonly<Partial<Record<ServerKind, ServerResults>>>;
  readonly comparison: readonly unknown[];
}

/** Writes the report as JSON (non-finite numbers become null, as JSON has no NaN). */
export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
