import { readFileSync } from 'node:fs';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { type GatewayConfig, readGatewayConfig } from './index.ts';
import { ConfigError, type ConfigPath, fieldName, type PlacedIssue } from './reader.ts';
import { resolveSecrets } from './secrets.ts';

/** The nearest node of the document at (or above) a path, and its source offset. */
function offsetOf(doc: Document, path: ConfigPath, atKey: boolean): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const parentPath = path.slice(0, depth - 1);
    const last = path[depth - 1];
    if (depth === path.length && atKey && last !== undefined) {
      const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
        if (isNode(pair?.key) && pair.key.range) return pair.key.range[0];
      }
    }
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}

export function formatIssues(issues: readonly Required<PlacedIssue>[]): string {
  return issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.field}: ${i.message}`).join('\n');
}

/**
 * Parses a configuration text (YAML, or JSON, which is YAML too) and
 * validates it. Every problem — syntax or field — is placed at its line and
 * column; any problem throws a ConfigError and nothing is returned, so a bad
 * file can never start a half-configured gateway. `${env:NAME}` and
 * `${file:/path}` are resolved first (./config-secrets.ts); no message shows
 * a resolved value.
 */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const place = (offset: number, field: string, message: string): Required<PlacedIssue> => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, field, message };
  };
  if (doc.errors.length) {
    const placed = doc.errors.map((e) => place(e.pos[0], '(syntax)', e.message.split('\n')[0] ?? e.message));
    throw new ConfigError(`${file} is not valid YAML:\n${formatIssues(placed)}`, placed);
  }
  const { secrets, issues: unresolved } = resolveSecrets(doc, env);
  if (unresolved.length) {
    const placed = unresolved.map((i) => place(i.offset, i.field, i.message));
    const count = placed.length === 1 ? 'a problem' : `${placed.length} problems`;
    throw new ConfigError(`${file} has ${count}:\n${formatIssues(placed)}`, placed);
  }
  const { config, issues } = readGatewayConfig(doc.toJS({ maxAliasCount: 100 }));
  if (issues.length) {
    const placed = issues
      .map((i) => place(offsetOf(doc, i.path, i.atKey === true), fieldName(i.path), secrets.redact(i.message)))
      .sort((a, b) => a.line - b.line || a.col - b.col);
    const count = placed.length === 1 ? 'a problem' : `${placed.length} problems`;
    throw new ConfigError(`${file} has ${count}:\n${formatIssues(placed)}`, placed);
  }
  return config;
}

/** Reads and validates a configuration file; a missing or unreadable file is a ConfigError too. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((error as Error).message);
    throw new ConfigError(`Cannot read the configuration ${file}: ${why}.`, []);
  }
  return parseConfigText(text, file, env);
}
