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
