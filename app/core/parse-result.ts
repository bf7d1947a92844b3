/** The outcome of parsing untrusted input: the value, or why it was refused. */

import type { ErrorCode } from './protocol.ts';

export type ParseResult<T> =
  | {
      readonly ok: true;
      readonly frame: T;
      /** The text held no field beyond those of its type (so it may be forwarded byte for byte). */
      readonly hasOnlyKnownFields: boolean;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** A refusal with a stable code and a sentence a person understands. */
export const refuse = (code: ErrorCode, message: string): ParseResult<never> => ({ ok: false, code, message });
