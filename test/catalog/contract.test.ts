import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { describe, it } from 'node:test';
import {
  CONTRACT_CODES,
  type CodeEntry,
  ENTRIES,
  getCode,
  guidanceFor,
  type HeaderRule,
  inProfile,
  nameIn,
  PROFILE_IDS,
  profileEntries,
} from '../../src/catalog/index.ts';

const fixture = new URL('../fixtures/CONTRACT.md', import.meta.url);
const shared = new URL('../../../shared/CONTRACT.md', import.meta.url);

interface Row {
  code: number;
  names: string;
  when: string;
  headers: string;
  guidance: string;
}

/** The rows of CONTRACT.md §1, as written there. */
function contractRows(text: string): Row[] {
  return text
    .split('\n')
    .filter((l) => /^\| \d{3} \|/.test(l))
    .map((l) => {
      const [code, names, when, headers, guidance] = l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      return {
        code: Number(code),
        names: names ?? '',
        when: when ?? '',
        headers: headers ?? '',
        guidance: guidance ?? '',
      };
    });
}

const rows = contractRows(readFileSync(fixture, 'utf8'));

describe('catalog against CONTRACT.md §1', () => {
  it('the fixture is the shared contract, when the shared folder is beside the repo', (t) => {
    if (!existsSync(shared)) return t.skip('no ../shared beside this checkout');
    assert.equal(readFileSync(fixture, 'utf8'), readFileSync(shared, 'utf8'));
  });

  it('lists exactly the 43 codes of the table, in order', () => {
    assert.equal(rows.length, 43);
    assert.deepEqual(
      CONTRACT_CODES,
      rows.map((r) => r.code),
    );
  });

  it('gives each code the table name of the contract', () => {
    for (const row of rows) {
      const entry = getCode(row.code) as CodeEntry;
      // "OK; DLI: "Success"" → common name OK, DLI's own name Success.
      const [common, ...overrides] = row.names.replace(/\(DIS only\)/, '').split(';');
      assert.equal(entry.name, common?.trim(), `name of ${row.code}`);
      for (const o of overrides) {
        const m = /(\w+): "(.+)"/.exec(o);
        assert.ok(m, `override of ${row.code}`);
        assert.equal(nameIn(entry, m[1]?.toLowerCase() as 'dli'), m[2]);
      }
    }
    assert.equal(nameIn(getCode(200) as CodeEntry, 'dli'), 'Success');
    assert.equal(nameIn(getCode(200) as CodeEntry, 'dis'), 'OK');
  });

  it('keeps 441 in the DIS table only, and every other code in all four', () => {
    for (const e of ENTRIES) {
      const only = rows.find((r) => r.code === e.code)?.names.includes('DIS only');
      assert.deepEqual([...e.tables], only ? ['dis'] : ['dis', 'dcs', 'dli', 'generic'], `tables of ${e.code}`);
    }
    assert.equal(inProfile(441, 'dis'), true);
    for (const p of ['dcs', 'dli', 'generic'] as const) assert.equal(inProfile(441, p), false);
    assert.equal(profileEntries('dis').length, 43);
    for (const p of PROFILE_IDS.filter((p) => p !== 'dis')) assert.equal(profileEntries(p).length, 42);
  });

  it('marks 305, 306 and 402 never issued, as the table does', () => {
    const never = rows.filter((r) => /never issued/i.test(r.when)).map((r) => r.code);
    assert.deepEqual(never, [305, 306, 402]);
    assert.deepEqual(
      ENTRIES.filter((e) => e.guidance === 'never-issued').map((e) => e.code),
      never,
    );
    for (const code of never) assert.deepEqual([...(getCode(code) as CodeEntry).issuedBy], []);
  });

  it('requires every header the table names', () => {
    for (const row of rows) {
      const named = [...row.headers.matchAll(/[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)*/g)]
        .map((m) => m[0])
        .filter((h) =>
          /^(Location|Allow|Upgrade|Connection|Content-Range|Accept-Ranges|ETag|WWW-Authenticate|Proxy-Authenticate|Retry-After|RateLimit|Accept-Post|Accept-Patch|Link)$/.test(
            h,
          ),
        );
      const rules: readonly HeaderRule[] = (getCode(row.code) as CodeEntry).headers;
      for (const h of named) {
        assert.ok(
          rules.some((r) => r.field === h),
          `${row.code} must list ${h}`,
        );
      }
    }
  });

  it('marks the answers that never carry content', () => {
    const bodiless = ENTRIES.filter((e) => !e.body).map((e) => e.code);
    // RFC 9110 §6.4.1: 1xx, 204 and 304 have no content; §15.3.6: 205 neither.
    assert.deepEqual(bodiless, [100, 101, 204, 205, 304]);
  });
});

describe('guidance (CONTRACT.md §5)', () => {
  const expected: Record<string, number[]> = {
    done: [100, 101, 200, 201, 202, 203, 204, 205, 206, 304],
    follow: [300, 301, 302, 303],
    'retry-later': [408],
    'retry-after': [429],
    'retry-idempotent': [500, 502, 504],
    'never-issued': [305, 306, 402],
  };

  it('files each code under the guidance the table gives it', () => {
    for (const [guidance, codes] of Object.entries(expected)) {
      assert.deepEqual(
        ENTRIES.filter((e) => e.guidance === guidance).map((e) => e.code),
        codes,
        guidance,
      );
    }
    const fix = ENTRIES.filter((e) => e.guidance === 'fix').map((e) => e.code);
    assert.equal(fix.length, 43 - Object.values(expected).flat().length);
    for (const code of fix) assert.match(String(code), /^[45]/);
  });

  it('retries 413 and 503 only when the answer carries Retry-After', () => {
    assert.equal(guidanceFor(413), 'fix');
    assert.equal(guidanceFor(413, true), 'retry-after');
    assert.equal(guidanceFor(503), 'fix');
    assert.equal(guidanceFor(503, true), 'retry-after');
    assert.equal(guidanceFor(429), 'retry-after');
    assert.equal(guidanceFor(400, true), 'fix');
  });

  it('falls back to the class for codes outside the contract', () => {
    assert.equal(guidanceFor(418), 'fix');
    assert.equal(guidanceFor(599), 'retry-idempotent');
    assert.equal(guidanceFor(307), 'follow');
  });
});

describe('catalog against node:http STATUS_CODES', () => {
  // Where RFC 9110 renamed a code, Node kept the older phrase.
  const nodeDiffers: Record<number, string> = {
    306: 'Node has no phrase for 306',
    413: 'Node: Payload Too Large; RFC 9110: Content Too Large',
    422: 'Node: Unprocessable Entity; RFC 9110: Unprocessable Content',
    441: 'Node has no phrase for 441 (a DIS code, outside RFC 9110)',
  };

  it('shares the reason phrase of every code Node knows, except the documented differences', () => {
    for (const e of ENTRIES) {
      if (e.code in nodeDiffers) {
        assert.notEqual(STATUS_CODES[e.code], e.reason, `${e.code}: ${nodeDiffers[e.code]}`);
        continue;
      }
      assert.equal(e.reason, STATUS_CODES[e.code], `reason of ${e.code}`);
    }
  });

  it('documents where the tables name a code differently from the RFC phrase', () => {
    const differs = ENTRIES.filter((e) => e.name !== e.reason).map((e) => e.code);
    assert.deepEqual(differs, [204, 400, 404, 405, 408, 413, 414, 416, 422, 429, 500, 503, 504, 505]);
  });
});
