import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

// The README's "Use it in your project", done as a user would: npm pack, a scratch
// project, npm install of the tarball from npm's cache, then the binary, every
// subpath import, the docs it points to, and its types under tsc.
const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
  exports: Record<string, unknown>;
};
const typesNode = JSON.parse(await readFile(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as {
  version: string;
};
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The environment without what `npm test` tells its scripts about this package (a child npm would obey it). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|config_(prefix|global_prefix|local_prefix|call)$)/i.test(key))
      delete env[key];
  }
  return env;
}

function npm(cwd: string, ...args: string[]) {
  // 100 s: a hang guard for npm on a busy machine, not a speed check.
  return run('npm', args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024, timeout: 100_000 });
}

/** A name from package.json's exports as an import specifier: `.` → statuskit, `./client` → statuskit/client. */
const specifier = (sub: string) => (sub === '.' ? pkg.name : `${pkg.name}${sub.slice(1)}`);

const KNOWN_EXPORT: Record<string, string> = {
  '.': 'StatusError',
  './catalog': 'lookup',
  './server': 'createServer',
  './gateway': 'createGateway',
  './lab': 'startLab',
  './client': 'createClient',
  './check': 'runCheck',
};

const USES_TYPES = `
import { StatusError } from 'statuskit';
import { type ContractCode, lookup } from 'statuskit/catalog';
import { type CheckProgress, type CheckResult, runCheck } from 'statuskit/check';
import { createClient, HttpError } from 'statuskit/client';
import { createServer } from 'statuskit/server';

const code: ContractCode = 429;
export const name: string | undefined = lookup(code)?.name;
export const api = createClient({ baseUrl: 'http://127.0.0.1:8080/', profile: 'dis' });
export const audit = (url: string): Promise<CheckResult> =>
  runCheck(url, { slow: true, onProgress: (e: CheckProgress) => void e.id });
export const failure: Error = new StatusError(409, 'busy');
export const isHttp = (e: unknown): e is HttpError => e instanceof HttpError;
export const server = createServer({ profile: 'dcs', routes: [] });
// @ts-expect-error: the types are real, so a profile outside the contract is an error
createClient({ profile: 'nope' });
`;

describe('the packed package, installed in a scratch project', () => {
  let dir: string;
  let app: string;
  let tarball: string;
  let packed: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'statuskit-pack-'));
    // dist/ is built: by prepare on npm ci, and by npm test before the tests. Pack it as it is
    // (--ignore-scripts: a second build would take dist/ away from the tests running meanwhile).
    assert.ok(existsSync(join(ROOT, 'dist/index.js')), 'dist/ is built (npm run build)');
    await npm(ROOT, 'pack', '--ignore-scripts', '--pack-destination', dir, '--loglevel', 'error');
    const name = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
    assert.ok(name, 'npm pack wrote a tarball');
    tarball = join(dir, name);
    packed = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);

    app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // Everything it needs is in npm's cache after `npm ci` here; --prefer-offline takes it from there.
    await npm(
      app,
      'install',
      '--prefix',
      app,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel',
      'error',
      tarball,
      `@types/node@${typesNode.version}`,
    );
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('ships the build, the binary, the docs, README and LICENSE, and no sources or tests', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/shell.js', 'bin/statuskit.js', 'README.md']) {
      assert.ok(packed.includes(`package/${f}`), `${f} is packed`);
    }
    for (const f of ['LICENSE', 'package.json', 'docs/gateway.md', 'docs/lab.md', 'test/fixtures/CONTRACT.md']) {
      assert.ok(packed.includes(`package/${f}`), `${f} is packed`);
    }
    assert.deepEqual(
      packed.filter((f) => /^package\/(src|bench|scripts|\.ci)\/|\.test\.ts$|\.map$/.test(f)),
      [],
    );
  });

  it('runs the binary: node_modules/.bin/statuskit --version', async () => {
    const { stdout } = await run(join(app, 'node_modules/.bin/statuskit'), ['--version'], { cwd: app });
    assert.equal(stdout, `${pkg.version}\n`);
  });

  it('imports every subpath export by the package’s name', async () => {
    const subs = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    assert.deepEqual(subs.sort(), Object.keys(KNOWN_EXPORT).sort(), 'every export has a known name to look for');
    const script = subs
      .map(
        (s) =>
          `console.log(${JSON.stringify(s)}, typeof (await import(${JSON.stringify(specifier(s))})).${KNOWN_EXPORT[s]});`,
      )
      .join('\n');
    await writeFile(join(app, 'imports.mjs'), script);
    const { stdout } = await run(process.execPath, ['imports.mjs'], { cwd: app });
    assert.deepEqual(
      stdout.trim().split('\n'),
      subs.map((s) => `${s} function`),
    );
  });

  for (const [module, resolution] of [
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ] as const) {
    it(`type-checks a file that uses its types, moduleResolution ${resolution}`, async () => {
      const file = `uses-${resolution}.ts`;
      await writeFile(join(app, file), USES_TYPES);
      // skipLibCheck as most projects set it (tsc --init does); the @ts-expect-error shows the types are real.
      const args = [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--target',
        'es2022',
        '--module',
        module,
        '--moduleResolution',
        resolution,
      ];
      const r = await run(process.execPath, [TSC, ...args, '--types', 'node', file], { cwd: app }).catch(
        (e: { stdout: string }) => ({ stdout: e.stdout, failed: true }),
      );
      assert.equal(r.stdout, '', 'tsc reports nothing');
      assert.ok(!('failed' in r));
    });
  }

  it('points its CLI hints and its docs’ links at files inside the installed package', async () => {
    await writeFile(join(app, 'bad.yaml'), 'listen: [\n');
    const bin = join(app, 'node_modules/.bin/statuskit');
    const serve = await run(bin, ['serve', '--config', 'bad.yaml'], { cwd: app }).catch((e: { stderr: string }) => e);
    const hint = /See (\S+\.md) for every field/.exec(serve.stderr)?.[1];
    assert.equal(hint, join('node_modules', pkg.name, 'docs', 'gateway.md'), serve.stderr);
    const help = (await run(bin, ['lab', '--help'], { cwd: app })).stdout;
    const labDoc = /(\S+lab\.md) lists one per code/.exec(help)?.[1];
    assert.ok(labDoc && existsSync(join(app, labDoc)), help);

    const installed = join(app, 'node_modules', pkg.name);
    const docs = [
      'README.md',
      ...(await readdir(join(installed, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ];
    for (const doc of docs) {
      const text = await readFile(join(installed, doc), 'utf8');
      for (const [, link] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(link as string)) continue;
        assert.ok(
          existsSync(join(installed, dirname(doc), link as string)),
          `${doc} links to ${link}, which is packed`,
        );
      }
    }
  });
});
