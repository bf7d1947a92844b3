/**
 * Where a browser profile's identity record lives between page loads: IndexedDB in the
 * browser (a `CryptoKey` is stored as is, and stays non-extractable), memory in Node,
 * simulations and tests. One record per profile. The store only keeps and checks
 * records; what they mean (expiry, sequence numbers) is `IdentityKeeper`'s.
 */

import { parseIdentityRecord, type IdentityRecord } from '../core/identity-record.ts';
import { isStorablePrivateKey } from './session-identity.ts';

/** The record as stored in the browser. */
export type StoredIdentityRecord = IdentityRecord<CryptoKey>;

export interface IdentityStore {
  /**
   * The stored record, checked field by field; null when there is none, or when what
   * was stored is not a valid record (it is then deleted). Never rejects: storage that
   * cannot be read counts as empty.
   */
  load(): Promise<StoredIdentityRecord | null>;
  /** Replaces the record. Rejects when storage refuses (the caller decides what that costs). */
  save(record: StoredIdentityRecord): Promise<void>;
  /** Deletes the record. Never rejects. */
  clear(): Promise<void>;
}

const DATABASE = 'neartalk';
const OBJECT_STORE = 'identity';
/** The one record's key: one identity per browser profile. */
const RECORD_KEY = 'profile';

/** The browser's store. Opens the database lazily; a browser without IndexedDB stores nothing. */
export class IndexedDbIdentityStore implements IdentityStore {
  private database: Promise<IDBDatabase> | null = null;

  constructor(private readonly factory: IDBFactory | undefined = globalThis.indexedDB) {}

  async load(): Promise<StoredIdentityRecord | null> {
    let stored: unknown;
    try {
      stored = await this.run('readonly', (store) => store.get(RECORD_KEY));
    } catch (err: unknown) {
      console.warn('the stored identity could not be read:', describe(err));
      return null;
    }
    if (stored === undefined) return null;
    const record = parseIdentityRecord(stored, isStorablePrivateKey);
    if (record === null) {
      console.warn('the stored identity is not valid; a new one is made');
      await this.clear();
    }
    return record;
  }

  async save(record: StoredIdentityRecord): Promise<void> {
    await this.run('readwrite', (store) => store.put(record, RECORD_KEY));
  }

  async clear(): Promise<void> {
    try {
      await this.run('readwrite', (store) => store.delete(RECORD_KEY));
    } catch (err: unknown) {
      console.warn('the stored identity could not be deleted:', describe(err));
    }
  }

  private open(): Promise<IDBDatabase> {
    const factory = this.factory;
    if (factory === undefined) return Promise.reject(new Error('this browser has no IndexedDB'));
    this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
      request.onsuccess = () => {
        const database = request.result;
        // Another tab upgrading the schema: let it, and reopen next time.
        database.onversionchange = () => {
          database.close();
          this.database = null;
        };
        resolve(database);
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB refused to open'));
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    const opening = this.database;
    opening.catch(() => {
      if (this.database === opening) this.database = null;
    });
    return opening;
  }

  private async run(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const database = await this.open();
    return new Promise<unknown>((resolve, reject) => {
      const transaction = database.transaction(OBJECT_STORE, mode);
      const request = operation(transaction.objectStore(OBJECT_STORE));
      let result: unknown;
      request.onsuccess = () => {
        result = request.result;
      };
      // Resolved when the transaction commits, so a save has reached the disk's queue.
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('IndexedDB transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    });
  }
}

/** Node, simulations, tests: the record in memory, checked on the way back like the browser's. */
export class MemoryIdentityStore implements IdentityStore {
  private record: unknown;

  async load(): Promise<StoredIdentityRecord | null> {
    if (this.record === undefined) return null;
    const record = parseIdentityRecord(this.record, isStorablePrivateKey);
    if (record === null) this.record = undefined;
    return record;
  }

  async save(record: StoredIdentityRecord): Promise<void> {
    this.record = { ...record };
  }

  async clear(): Promise<void> {
    this.record = undefined;
  }

  /** Test hook: puts anything in storage, as a corrupted profile or another app version might. */
  putRaw(value: unknown): void {
    this.record = value;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
