// vigil serve's resources come down newest first, and one that fails to stop does not keep the others up.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { createTeardownStack } from '../../src/shared/teardown-stack.ts';

it('undoes newest first, waits for each, logs a failing undo and goes on; a second unwind has nothing left', async () => {
  const errors: string[] = [];
  const stack = createTeardownStack({ error: (_o: unknown, msg?: string) => void errors.push(String(msg)) } as never);
  const done: string[] = [];
  stack.defer('store', () => done.push('store'));
  stack.defer('api', async () => {
    await sleep(20);
    done.push('api');
  });
  stack.defer('leases', () => {
    throw new Error('database gone');
  });
  stack.defer('scheduler', async () => {
    await sleep(5);
    done.push('scheduler');
  });
  await stack.unwind();
  assert.deepEqual(done, ['scheduler', 'api', 'store']);
  assert.deepEqual(errors, ['shutting down: leases failed']);
  await stack.unwind();
  assert.deepEqual(done, ['scheduler', 'api', 'store'], 'nothing undone twice');
});
