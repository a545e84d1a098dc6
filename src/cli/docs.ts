import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where one of the package's docs/*.md files is, for a CLI hint: relative to
 * the working directory when it lies below it (`docs/gateway.md` in a checkout,
 * `node_modules/statuskit/docs/gateway.md` in a project that installed the
 * package), else absolute. Resolves from src/cli and from the built dist/cli alike.
 */
export function docPath(name: string, cwd = process.cwd()): string {
  const file = fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
  const rel = relative(cwd, file);
  return rel.startsWith(`..${sep}`) || isAbsolute(rel) ? file : rel;
}
