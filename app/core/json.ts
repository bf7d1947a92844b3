/** Helpers for reading untrusted JSON without casts. */

/** Any value `JSON.parse` can return. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A plain JSON object: what every NearTalk frame is at the top level. */
export type JsonObject = { [key: string]: JsonValue };

/** Parses text as JSON; `undefined` (never a throw) when it is not JSON. */
export function parseJson(text: string): JsonValue | undefined {
  try {
    // JSON.parse only ever produces JsonValue; the annotation states that, it checks nothing.
    const value: JsonValue = JSON.parse(text);
    return value;
  } catch (err: unknown) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Index just past the string token that opens at `start` (a `"`), or the text's length. */
function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x5c) index += 1;
    else if (code === 0x22) return index + 1;
  }
  return text.length;
}

/**
 * True when `text` nests objects and arrays more than `limit` levels deep (a top-level
 * object is level 1). Linear and iterative: safe on any input, JSON or not. Deep values
 * parse fine but overflow the stack of every recursive consumer (`JSON.stringify`).
 */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) index = endOfString(text, index) - 1;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return false;
}

/**
 * The sender's own text of member `key` of the JSON object `text` (which must be valid
 * JSON, e.g. already accepted by `parseJson`), or undefined when it has no such member.
 * Keys are compared decoded (`"d\u0061ta"` is `data`); with duplicates the last one wins,
 * as in `JSON.parse`. Lets a relay forward a value byte for byte instead of serializing
 * it again (which would turn `1e400` into `null`).
 */
export function rawJsonMember(text: string, key: string): string | undefined {
  let depth = 0;
  let isKeyNext = false;
  let currentKey: string | null = null;
  let valueStart = -1;
  let found: string | undefined;
  const closeMember = (end: number): void => {
    if (currentKey === key && valueStart >= 0) found = text.slice(valueStart, end).trim();
    currentKey = null;
    valueStart = -1;
  };
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      const end = endOfString(text, index);
      if (depth === 1 && isKeyNext) {
        const decoded = parseJson(text.slice(index, end));
        currentKey = typeof decoded === 'string' ? decoded : null;
        isKeyNext = false;
      }
      index = end - 1;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth === 1) isKeyNext = code === 0x7b;
    } else if (code === 0x7d || code === 0x5d) {
      if (depth === 1) closeMember(index);
      depth -= 1;
    } else if (depth === 1 && code === 0x3a) valueStart = index + 1;
    else if (depth === 1 && code === 0x2c) {
      closeMember(index);
      isKeyNext = true;
    }
  }
  return found;
}
