import type { Probe } from '../probe.ts';
import { BODY_PROBES } from './bodies.ts';
import { CONDITIONAL_PROBES } from './conditional.ts';
import { FAILURE_PROBES } from './failures.ts';
import { HOST_PROBES } from './host.ts';
import { METHOD_PROBES } from './methods.ts';
import { PROTECTED_PROBES } from './protected.ts';
import { PROTOCOL_PROBES } from './protocol.ts';
import { TARGET_PROBES } from './target.ts';
import { UPGRADE_PROBES } from './upgrade.ts';

/** Every probe, in the order of the contract's table (by code). */
export const PROBES: readonly Probe[] = [
  ...PROTOCOL_PROBES,
  ...HOST_PROBES,
  ...TARGET_PROBES,
  ...METHOD_PROBES,
  ...BODY_PROBES,
  ...CONDITIONAL_PROBES,
  ...FAILURE_PROBES,
  ...PROTECTED_PROBES,
  ...UPGRADE_PROBES,
].sort((a, b) => a.code - b.code);

/** The probe ids, for --only and its "did you mean". */
export const PROBE_IDS: readonly string[] = PROBES.map((p) => p.id);

/** Whether a --only token selects a probe: its id, or a prefix of it up to a dash (`413`, `505`). */
export function selects(token: string, id: string): boolean {
  return id === token || id.startsWith(`${token}-`);
}

/**
 * The probes --only selects. Returns the tokens that select nothing, so the
 * caller can refuse them with a clear message instead of silently running less.
 */
export function selectProbes(only: readonly string[] | undefined): { probes: readonly Probe[]; unknown: string[] } {
  if (!only || only.length === 0) return { probes: PROBES, unknown: [] };
  const tokens = only.map((t) => t.trim()).filter(Boolean);
  const unknown = tokens.filter((t) => !PROBES.some((p) => selects(t, p.id)));
  return { probes: PROBES.filter((p) => tokens.some((t) => selects(t, p.id))), unknown };
}
