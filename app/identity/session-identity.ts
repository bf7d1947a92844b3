/**
 * The per-session signing key: an ECDSA P-256 key pair made with WebCrypto, never sent
 * anywhere but as the public half inside signed messages, never given to the relay.
 * P-256 rather than Ed25519 because every browser NearTalk targets supports it.
 */

import { signedPayload, type ChatMessage, type UnsignedChatMessage } from '../core/chat-message.ts';

const ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const encoder = new TextEncoder();

function toBase64Url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** 16 random bytes in base64url: message ids. */
export function randomId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)).buffer);
}

export class SessionIdentity {
  private constructor(
    /** The private half; non-extractable, so it can be stored (IndexedDB) but never read out. */
    readonly privateKey: CryptoKey,
    /** The public key, raw P-256 in base64url: the author key in every message. */
    readonly publicKey: string,
  ) {}

  /** Makes a fresh key pair; the private half cannot be exported. */
  static async create(): Promise<SessionIdentity> {
    const pair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
    const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
    return new SessionIdentity(pair.privateKey, toBase64Url(raw));
  }

  /**
   * An identity read back from storage. The key pair is proved to belong together (a
   * signature made with the private half verifies with the public half), so a record
   * whose halves were mixed up or edited is refused (null) rather than signing claims
   * nobody can verify.
   */
  static async restore(privateKey: CryptoKey, publicKey: string): Promise<SessionIdentity | null> {
    const identity = new SessionIdentity(privateKey, publicKey);
    try {
      const probe = `neartalk-identity-check:${randomId()}`;
      return (await verifyText(publicKey, probe, await identity.signText(probe))) ? identity : null;
    } catch (err: unknown) {
      if (err instanceof DOMException || err instanceof TypeError) return null;
      throw err;
    }
  }

  /** Signs a message written by this session. */
  async sign(message: Omit<UnsignedChatMessage, 'author'>): Promise<ChatMessage> {
    const unsigned: UnsignedChatMessage = { ...message, author: this.publicKey };
    return { ...unsigned, signature: await this.signText(signedPayload(unsigned)) };
  }

  /** Signs any payload text (presence claims); base64url P-256 signature. */
  async signText(payload: string): Promise<string> {
    return toBase64Url(await crypto.subtle.sign(SIGNING, this.privateKey, encoder.encode(payload)));
  }
}

/** Whether `key` is what an identity record may hold: a private, non-extractable ECDSA P-256 signing key. */
export function isStorablePrivateKey(key: unknown): key is CryptoKey {
  return (
    typeof CryptoKey !== 'undefined' &&
    key instanceof CryptoKey &&
    key.type === 'private' &&
    !key.extractable &&
    key.algorithm.name === 'ECDSA' &&
    Reflect.get(key.algorithm, 'namedCurve') === 'P-256' &&
    key.usages.includes('sign')
  );
}

/** Verifies a message's signature against its own author key. Never throws. */
export function verifyMessage(message: ChatMessage): Promise<boolean> {
  return verifyText(message.author, signedPayload(message), message.signature);
}

/**
 * Verifies `signature` over `payload` with a raw P-256 public key. Never throws: a key
 * that does not import or a signature that does not verify is simply false.
 */
export async function verifyText(publicKey: string, payload: string, signature: string): Promise<boolean> {
  try {
    const key = await importPublicKey(publicKey);
    return await crypto.subtle.verify(SIGNING, key, fromBase64Url(signature), encoder.encode(payload));
  } catch (err: unknown) {
    if (err instanceof DOMException || err instanceof TypeError) return false;
    throw err;
  }
}

/**
 * Imported public keys by their text, most recently used last. Importing a key costs
 * about half as much as a verification, and a peer verifies the same few authors and
 * neighbours over and over. A key that does not import is not kept.
 */
const MAX_IMPORTED_KEYS = 2_000;
const importedKeys = new Map<string, Promise<CryptoKey>>();

function importPublicKey(publicKey: string): Promise<CryptoKey> {
  const cached = importedKeys.get(publicKey);
  if (cached !== undefined) {
    importedKeys.delete(publicKey);
    importedKeys.set(publicKey, cached);
    return cached;
  }
  const imported = crypto.subtle.importKey('raw', fromBase64Url(publicKey), ALGORITHM, false, ['verify']);
  importedKeys.set(publicKey, imported);
  imported.catch(() => {
    if (importedKeys.get(publicKey) === imported) importedKeys.delete(publicKey);
  });
  if (importedKeys.size > MAX_IMPORTED_KEYS) {
    const oldest = importedKeys.keys().next().value;
    if (oldest !== undefined) importedKeys.delete(oldest);
  }
  return imported;
}
