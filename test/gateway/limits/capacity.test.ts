import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBodyBudget } from '../../../src/gateway/policies/guards/body-budget.ts';
import { createLoadShedder } from '../../../src/gateway/policies/guards/shed.ts';
import { type Reply, send, serve } from './harness.ts';

/** Lets the test hold responses open and finish them when it wants. */
function gate() {
  const waiting: (() => void)[] = [];
  let arrived = 0;
  let onArrive: (() => void) | undefined;
  return {
    hold: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        arrived++;
        onArrive?.();
      }),
    /** Resolves once `n` requests are being held. */
    async arrivals(n: number) {
      while (arrived < n) await new Promise<void>((r) => (onArrive = r));
    },
    releaseAll: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !test(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(test(), 'condition never held');
}

describe('load shedding', () => {
  it('answers 429 + Retry-After past maxInFlight, and admits again once responses close', async () => {
    const shedder = createLoadShedder({ maxInFlight: 2, retryAfter: 2 });
    const g = gate();
    const server = await serve([shedder.guard], { onRequest: g.hold });
    try {
      const held = [send(server.port), send(server.port)];
      await g.arrivals(2);
      assert.equal(shedder.inFlight, 2);
      const r = await send(server.port);
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '2');
      assert.equal(r.json().error_code, 'SVC.0429.OVERLOAD');
      assert.equal(shedder.shed, 1);
      g.releaseAll();
      assert.deepEqual(
        (await Promise.all(held)).map((x: Reply) => x.status),
        [200, 200],
      );
      await until(() => shedder.inFlight === 0);
      const again = send(server.port);
      await g.arrivals(3);
      g.releaseAll();
      assert.equal((await again).status, 200);
    } finally {
      await server.close();
    }
  });

  it('releases each slot once, whoever calls release', () => {
    const shedder = createLoadShedder({ maxInFlight: 1, autoRelease: false });
    const ctx = { state: {}, res: {} } as never;
    shedder.guard(ctx);
    assert.equal(shedder.inFlight, 1);
    assert.throws(() => shedder.guard({ state: {}, res: {} } as never), { status: 429 });
    shedder.release(ctx);
    shedder.release(ctx);
    shedder.release({ state: {} } as never);
    assert.equal(shedder.inFlight, 0);
    assert.throws(() => createLoadShedder({ maxInFlight: 0 }), /maxInFlight/);
  });
});

describe('body budget', () => {
  it('answers a temporary 413 with Retry-After while the budget is spent, a permanent one past it', async () => {
    const budget = createBodyBudget({ maxBytes: 100, retryAfter: 4 });
    const g = gate();
    const server = await serve([budget.guard], { onRequest: g.hold });
    const post = (size: number) =>
      send(server.port, {
        method: 'POST',
        path: '/upload',
        body: 'x'.repeat(size),
        headers: { 'Content-Type': 'text/plain' },
      });
    try {
      const held = post(60);
      await g.arrivals(1);
      assert.equal(budget.inUse, 60);

      const busy = await post(50);
      assert.equal(busy.status, 413);
      assert.equal(busy.headers['retry-after'], '4');
      assert.equal(busy.headers.connection, 'close');
      assert.equal(busy.json().error_code, 'SVC.0413.BUSY');

      const never = await post(101);
      assert.equal(never.status, 413);
      assert.equal(never.headers['retry-after'], undefined, 'a body larger than the whole budget will never fit');

      const fits = post(40);
      await g.arrivals(2);
      assert.equal(budget.inUse, 100);
      g.releaseAll();
      assert.equal((await held).status, 200);
      assert.equal((await fits).status, 200);
      await until(() => budget.inUse === 0);
      const bodiless = send(server.port);
      await g.arrivals(3);
      assert.equal(budget.inUse, 0, 'a request without a body reserves nothing');
      g.releaseAll();
      assert.equal((await bodiless).status, 200);
    } finally {
      await server.close();
    }
  });

  it('reserves a fixed amount for a chunked body and releases once', () => {
    const budget = createBodyBudget({ maxBytes: 1000, unknownLengthBytes: 300, autoRelease: false });
    const ctx = { req: { headers: { 'transfer-encoding': 'chunked' } }, state: {}, res: {} } as never;
    budget.guard(ctx);
    assert.equal(budget.inUse, 300);
    budget.release(ctx);
    budget.release(ctx);
    assert.equal(budget.inUse, 0);
  });
});
