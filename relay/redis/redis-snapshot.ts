/**
 * Presence snapshots in Redis: each relay keeps, per precision-5 cell, a hash of its own
 * peers there (`cellSliceKey`) and its id in the cell's set of relays (`cellRelaysKey`).
 * Both expire unless the relay's heartbeat refreshes them, so a relay that dies takes its
 * entries with it. Readers validate every entry: Redis is an edge too.
 */

import { isPeerId, type PeerId } from '../../app/core/protocol.ts';
import type { LocalMembers } from './member-tables.ts';
import { cellOf, cellRelaysKey, cellSliceKey, isRelayId, type RelayId } from './redis-keys.ts';
import { encodeEntry, parseEntry, type PresenceEntry } from './redis-messages.ts';
import type { RedisClient } from './redis-link.ts';

export type RedisBatch = ReturnType<RedisClient['multi']>;

/** One peer of another relay found in a cell's snapshot. */
export interface SnapshotEntry {
  readonly id: PeerId;
  readonly relay: RelayId;
  readonly entry: PresenceEntry;
}

/**
 * Reads what the other relays hold in `cell`. Entries that do not parse, or whose home
 * lies outside the cell, are reported to `onInvalid` and skipped. Relays listed without
 * a slice (it expired with them) are removed from the list on the way.
 */
export async function readCellSnapshot(
  client: RedisClient,
  cell: string,
  self: RelayId,
  onInvalid: () => void,
): Promise<SnapshotEntry[]> {
  const listed = await client.sMembers(cellRelaysKey(cell));
  const relays: RelayId[] = [];
  for (const relay of listed) {
    if (isRelayId(relay)) {
      if (relay !== self) relays.push(relay);
    } else onInvalid();
  }
  const slices = await Promise.all(relays.map((relay) => client.hGetAll(cellSliceKey(cell, relay))));
  const entries: SnapshotEntry[] = [];
  for (const [index, slice] of slices.entries()) {
    const relay = relays[index];
    if (relay === undefined) continue;
    const fields = Object.entries(slice);
    if (fields.length === 0) {
      // A dead relay's slice expired before the set did: tidy up (its entries are gone anyway).
      void client.sRem(cellRelaysKey(cell), relay).catch(() => onInvalid());
      continue;
    }
    for (const [id, value] of fields) {
      const entry = typeof value === 'string' ? parseEntry(value) : null;
      if (!isPeerId(id) || entry === null || cellOf(entry.home) !== cell) {
        onInvalid();
        continue;
      }
      entries.push({ id, relay, entry });
    }
  }
  return entries;
}

/** Refreshes the expiry of this relay's liveness key and of its slices in `cells`. */
export function refreshSlices(batch: RedisBatch, relay: RelayId, cells: readonly string[], ttlMs: number): void {
  for (const cell of cells) {
    batch.pExpire(cellSliceKey(cell, relay), ttlMs);
    batch.sAdd(cellRelaysKey(cell), relay);
    batch.pExpire(cellRelaysKey(cell), ttlMs);
  }
}

/** Writes one local peer's entry into its cell's slice. */
export function writeEntry(batch: RedisBatch, relay: RelayId, id: PeerId, entry: PresenceEntry & { cell: string }, ttlMs: number): void {
  batch.hSet(cellSliceKey(entry.cell, relay), id, encodeEntry(entry));
  refreshSlices(batch, relay, [entry.cell], ttlMs);
}

/** Removes one local peer's entry; when the cell holds no more local peers, the relay leaves its list. */
export function deleteEntry(batch: RedisBatch, relay: RelayId, id: PeerId, cell: string, isCellEmpty: boolean): void {
  batch.hDel(cellSliceKey(cell, relay), id);
  if (isCellEmpty) batch.sRem(cellRelaysKey(cell), relay);
}

/** Replaces this relay's slice of each of `cells` with what `local` holds now. */
export function rewriteSlices(batch: RedisBatch, relay: RelayId, cells: Iterable<string>, local: LocalMembers, ttlMs: number): void {
  for (const cell of cells) {
    batch.del(cellSliceKey(cell, relay));
    const members = local.inCell(cell);
    if (members.length === 0) {
      batch.sRem(cellRelaysKey(cell), relay);
      continue;
    }
    batch.hSet(cellSliceKey(cell, relay), Object.fromEntries(members.map(([id, member]) => [id, encodeEntry(member)])));
    refreshSlices(batch, relay, [cell], ttlMs);
  }
}
