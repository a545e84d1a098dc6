import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayCache } from '../../../src/gateway/policies/auth/replay.ts';

describe('replay cache (in process)', () => {
  it('reports a signature seen again before it expires, not after', () => {
    const cache = new ReplayCache();
    assert.equal(cache.seen('sig-a', 1000, 0), false);
    assert.equal(cache.seen('sig-a', 1000, 999), true);
    assert.equal(cache.seen('sig-a', 3000, 1000), false, 'expired: the date check would refuse it anyway');
    assert.equal(cache.seen('sig-a', 3000, 1001), true);
  });

  it('stays within maxEntries: expired entries leave first, then the oldest, counted', () => {
    const cache = new ReplayCache({ maxEntries: 2 });
    cache.seen('a', 100, 0);
    cache.seen('b', 200, 0);
    cache.seen('c', 300, 150); // a expired: swept, no eviction
    assert.equal(cache.size, 2);
    assert.equal(cache.evictions, 0);
    cache.seen('d', 400, 160); // b and c live: b, the oldest, is forgotten
    assert.equal(cache.size, 2);
    assert.equal(cache.evictions, 1);
    assert.equal(cache.seen('b', 400, 170), false, 'an evicted signature is no longer known');
    assert.equal(cache.seen('d', 400, 170), true);
    assert.throws(() => new ReplayCache({ maxEntries: 0 }), /maxEntries/);
  });
});
