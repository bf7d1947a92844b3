/** Waiting for a condition with a deadline, never for a fixed time. */

/**
 * Resolves once `condition()` holds (checked every `everyMs`); rejects after `timeoutMs`
 * with `describe()` (what was still missing) in the message.
 */
export async function waitFor(
  condition: () => boolean,
  options: { readonly timeoutMs: number; readonly everyMs?: number; readonly describe?: () => string },
): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (condition()) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms${options.describe === undefined ? '' : `: ${options.describe()}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}
