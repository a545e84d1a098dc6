import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Runs the CLI as a user would: a separate process. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('statuskit explain', () => {
  it('explains a code by number', () => {
    const r = cli('explain', '405');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^405 MethodNotAllowed/);
    assert.match(r.out, /Allow\s+always/);
    assert.match(r.out, /RFC 9110 §15\.5\.6/);
    assert.match(r.out, /Client:\s+fix\./);
  });

  it('explains a code by any spelling of its name', () => {
    for (const name of ['TooManyRequests', 'too many requests']) {
      assert.match(cli('explain', name).out, /^429 TooManyRequests/);
    }
    assert.match(cli('explain', 'Request', 'Time-out').out, /^408 Request Time-out/);
    assert.match(cli('explain', 'Gateway Timeout').out, /^504 ServerTimeout/);
  });

  it('uses the profile’s names and error_code prefix', () => {
    const r = cli('explain', '200', '--profile', 'dli');
    assert.match(r.out, /^200 Success/);
    assert.match(r.out, /OK \(dis, dcs, generic\); Success \(dli\)/);
    assert.match(cli('explain', '429', '--profile=dis').out, /error_code DIS\.0429 under dis/);
  });

  it('prints the entry as JSON', () => {
    const r = cli('explain', '413', '--json');
    const data = JSON.parse(r.out);
    assert.equal(data.code, 413);
    assert.equal(data.guidance, 'fix');
    assert.equal(data.withRetryAfter, 'retry-after');
    assert.equal(data.errorCode, 'SVC.0413');
  });

  it('says plainly when a code is outside the contract and names the nearest ones', () => {
    const r = cli('explain', '431');
    assert.equal(r.code, 2);
    assert.equal(r.out, '');
    assert.match(r.err, /431 Request Header Fields Too Large is not a code of the statuskit contract/);
    assert.match(r.err, /Nearest contract codes: 429 TooManyRequests/);
    assert.match(cli('explain', '418').err, /418 I'm a Teapot is not a code/);
  });

  it('says 441 exists only in the DIS profile', () => {
    const r = cli('explain', '441', '--profile', 'dcs');
    assert.equal(r.code, 2);
    assert.match(r.err, /441 Authentication Error exists only in the dis profile, not in "dcs"/);
    assert.match(r.err, /answered with 401/);
    assert.equal(cli('explain', '441', '--profile', 'dis').code, 0);
  });

  it('refuses unknown names, missing arguments and bad profiles', () => {
    const unknown = cli('explain', 'teapot');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /"teapot" is neither a status code nor a name/);
    assert.equal(cli('explain').code, 2);
    const bad = cli('explain', '404', '--profile', 'dsi');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /Invalid value "dsi" for --profile/);
    assert.match(bad.err, /Did you mean --profile dis\?/);
  });
});

describe('statuskit codes', () => {
  it('prints the whole table of a profile', () => {
    const generic = cli('codes');
    assert.equal(generic.code, 0);
    assert.match(generic.out, /42 codes/);
    assert.match(cli('codes', '--profile', 'dis').out, /43 codes/);
  });

  it('filters by class and guidance', () => {
    const r = cli('codes', '--class', '5xx', '--format', 'json');
    assert.deepEqual(
      JSON.parse(r.out).map((x: { code: number }) => x.code),
      [500, 501, 502, 503, 504, 505],
    );
    const after = JSON.parse(cli('codes', '--guidance', 'retry-after', '--format', 'json').out);
    assert.deepEqual(
      after.map((x: { code: number }) => x.code),
      [413, 429, 503],
    );
  });

  it('writes CSV with a header row', () => {
    const lines = cli('codes', '--class', '1xx', '--format', 'csv').out.trim().split('\n');
    assert.equal(lines[0], 'code,name,class,guidance,headers,error_code,summary');
    assert.equal(lines.length, 3);
    assert.match(lines[2] ?? '', /^101,Switching Protocols,1xx,done,Upgrade Connection,,/);
  });

  it('refuses unknown flags with a hint', () => {
    const r = cli('codes', '--clas', '4xx');
    assert.equal(r.code, 2);
    assert.match(r.err, /Unknown option --clas/);
    assert.match(r.err, /Did you mean --class\?/);
    assert.equal(cli('codes', '--format').code, 2);
  });
});

describe('statuskit shell', () => {
  it('prints help and version', () => {
    const help = cli('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: statuskit <command>/);
    assert.match(help.out, /explain/);
    assert.match(cli('explain', '--help').out, /Usage: statuskit explain <code\|name>/);
    assert.match(cli('help', 'codes').out, /--guidance <guidance>/);
    assert.match(cli('--version').out, /^\d+\.\d+\.\d+\n$/);
  });

  it('refuses unknown commands with a hint, and no command with usage', () => {
    const r = cli('explian', '404');
    assert.equal(r.code, 2);
    assert.match(r.err, /Unknown command "explian"/);
    assert.match(r.err, /Did you mean "statuskit explain"\?/);
    assert.equal(cli().code, 2);
  });
});
