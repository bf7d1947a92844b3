import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enginesFromEnvironment } from '../fixture/engines.ts';

test('NEARTALK_ENGINES lists the engines peers are spread over, in order; Chromium alone when unset', () => {
  assert.deepEqual(enginesFromEnvironment({}), ['chromium']);
  assert.deepEqual(enginesFromEnvironment({ NEARTALK_ENGINES: '' }), ['chromium']);
  assert.deepEqual(enginesFromEnvironment({ NEARTALK_ENGINES: 'chromium,firefox' }), ['chromium', 'firefox']);
  assert.deepEqual(enginesFromEnvironment({ NEARTALK_ENGINES: ' firefox , chromium ' }), ['firefox', 'chromium']);
});

test('an unknown engine name fails instead of quietly testing less', () => {
  assert.throws(() => enginesFromEnvironment({ NEARTALK_ENGINES: 'chromium,safari' }), /unknown engine "safari"/);
});
