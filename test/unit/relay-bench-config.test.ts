import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchArgs, UsageError } from '../bench/bench-config.ts';

test("bench:relay's crowd sizes: full and quick defaults, --crowd from,to, and a clear error for anything else", () => {
  assert.deepEqual(parseBenchArgs([])?.crowd, { from: 1_000, to: 3_000 });
  assert.deepEqual(parseBenchArgs(['--quick'])?.crowd, { from: 200, to: 500 });
  assert.deepEqual(parseBenchArgs(['--crowd', '500, 2000'])?.crowd, { from: 500, to: 2_000 });
  for (const bad of ['3000,1000', '0,10', '10', '1,2,3', '1e3,2000', 'a,b', '100,20000']) {
    assert.throws(() => parseBenchArgs(['--crowd', bad]), (err: unknown) => err instanceof UsageError && err.message.startsWith('--crowd:'), bad);
  }
  assert.throws(() => parseBenchArgs(['--crowd']), UsageError);
});
