import { nameIn, type Profile, profileEntries } from '../catalog/index.ts';
import type { CodeCoverage, ProbeResult } from './types.ts';

/**
 * The check read line by line of the contract: for every code the profile
 * lists, the verdict of the probes about it — failed if one failed, passed if
 * one passed and none failed, not applicable if none could run, and
 * `not probed` for codes no probe of this run was about (401 needs
 * credentials, 502 an upstream, 305 is never issued; a redirect probe
 * covers the one 3xx its route answers).
 */
export function contractCoverage(probes: readonly ProbeResult[], profile: Profile): CodeCoverage[] {
  return profileEntries(profile).map((entry) => {
    const about = probes.filter((p) => p.code === entry.code);
    const verdict = about.some((p) => p.verdict === 'fail')
      ? 'fail'
      : about.some((p) => p.verdict === 'pass')
        ? 'pass'
        : about.length
          ? 'n/a'
          : 'not probed';
    return { code: entry.code, name: nameIn(entry, profile), verdict, probes: about.map((p) => p.id) };
  });
}
