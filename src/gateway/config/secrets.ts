/**
 * Secrets in the configuration: `${env:NAME}` and `${file:/path}` in any
 * string value are replaced at load (and at every reload) by the variable's
 * value or the file's content (one trailing newline dropped, as `echo >`
 * writes it). `$${` writes a literal `${`. A missing variable, an unreadable
 * file or an unknown source is a configuration error at the value's line.
 *
 * Resolved values are secrets: they are remembered so that any message made
 * from the configuration (a validation error echoing a value) shows the
 * reference (`${env:API_KEY}`), never the value (see `redact`).
 */
import { readFileSync } from 'node:fs';
import { type Document, isPair, isScalar, isSeq, visit } from 'yaml';

const REFERENCE = /\$\$\{|\$\{([a-z]+):([^}]*)\}/g;

export interface SecretIssue {
  /** Offset of the value in the source text. */
  offset: number;
  /** The field, as `routes[0].targets[1]`. */
  field: string;
  message: string;
}

export interface Secrets {
  /** Replaces every resolved value in `text` with the reference it came from. */
  redact(text: string): string;
  readonly count: number;
}

function resolveOne(source: string, name: string, env: NodeJS.ProcessEnv): string | { error: string } {
  if (source === 'env') {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      return { error: `\${env:${name}} does not name an environment variable.` };
    const value = env[name];
    return value === undefined ? { error: `the environment variable ${name} is not set.` } : value;
  }
  if (source === 'file') {
    if (!name.startsWith('/')) return { error: `\${file:${name}} must name an absolute path.` };
    try {
      return readFileSync(name, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { error: `cannot read ${name} (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}).` };
    }
  }
  return { error: `\${${source}:…} is not a source of values; use \${env:NAME} or \${file:/path}.` };
}

/** The field name of a scalar from its ancestors (visit's path). */
function fieldOf(path: readonly unknown[], node: unknown): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const at = path[i];
    const next = i + 1 < path.length ? path[i + 1] : node;
    if (isPair(at) && isScalar(at.key)) out += out ? `.${String(at.key.value)}` : String(at.key.value);
    else if (isSeq(at)) out += `[${at.items.indexOf(next as never)}]`;
  }
  return out || '(value)';
}

/** Resolves the references in every string scalar of `doc`, in place. */
export function resolveSecrets(
  doc: Document,
  env: NodeJS.ProcessEnv = process.env,
): { secrets: Secrets; issues: SecretIssue[] } {
  const issues: SecretIssue[] = [];
  const values = new Map<string, string>();
  visit(doc, {
    Scalar(key, node, path) {
      // Keys are names, not values: never resolved.
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const text = node.value;
      let failed = false;
      const resolved = text.replace(REFERENCE, (match, source: string | undefined, name: string | undefined) => {
        if (source === undefined) return '${';
        const value = resolveOne(source, name ?? '', env);
        if (typeof value !== 'string') {
          failed = true;
          issues.push({ offset: node.range?.[0] ?? 0, field: fieldOf(path, node), message: value.error });
          return match;
        }
        if (value !== '') values.set(value, match);
        return value;
      });
      if (!failed) node.value = resolved;
    },
  });
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...values.entries()].sort((a, b) => b[0].length - a[0].length);
  return {
    issues,
    secrets: {
      count: ordered.length,
      redact(text: string): string {
        let out = text;
        for (const [value, reference] of ordered) out = out.split(value).join(reference);
        return out;
      },
    },
  };
}
