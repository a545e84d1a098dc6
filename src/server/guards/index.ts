/**
 * The front's guards in contract order, each with the codes it owns. To learn
 * why a 415 happened, open the file that owns 415 (./media.ts).
 */
import type { ContractCode } from '../../catalog/index.ts';
import type { Context } from '../context.ts';
import type { Resolved } from '../options.ts';
import type { Router } from '../router.ts';
import * as accept from './accept.ts';
import * as availability from './availability.ts';
import * as deadline from './deadline.ts';
import * as expect from './expect.ts';
import * as length from './length.ts';
import * as media from './media.ts';
import * as method from './method.ts';
import * as route from './route.ts';
import * as size from './size.ts';
import * as syntax from './syntax.ts';
import * as target from './target.ts';
import * as version from './version.ts';

/** A guard of the front: synchronous, passes by returning, answers by throwing a StatusError or sending. */
export type FrontGuard = (ctx: Context) => void;

export interface GuardSpec {
  readonly name: string;
  /** The codes this guard, and no other, issues. */
  readonly owns: readonly ContractCode[];
  readonly create: (options: Resolved, router: Router) => FrontGuard;
  /** It may answer by sending (not only by throwing): the pipeline stops if it did. */
  readonly sends?: true;
}

/** Guards before the access guards (the gateway's 407, 401/441/403, 429). */
export const BEFORE_ACCESS: readonly GuardSpec[] = [
  { name: 'version', owns: version.owns, create: () => version.versionGuard() },
  { name: 'target', owns: target.owns, create: (o) => target.targetGuard(o) },
  { name: 'method', owns: method.owns, create: (o) => method.methodGuard(o) },
  { name: 'syntax', owns: syntax.owns, create: (_, r) => syntax.syntaxGuard(r) },
  { name: 'route', owns: route.owns, create: (_, r) => route.routeGuard(r), sends: true },
];

/** Guards after the access guards. */
export const AFTER_ACCESS: readonly GuardSpec[] = [
  { name: 'expect', owns: expect.owns, create: () => expect.expectGuard() },
  { name: 'length', owns: length.owns, create: () => length.lengthGuard() },
  { name: 'size', owns: size.owns, create: () => size.sizeGuard() },
  { name: 'media', owns: media.owns, create: () => media.mediaGuard() },
  { name: 'accept', owns: accept.owns, create: () => accept.acceptGuard() },
  { name: 'availability', owns: availability.owns, create: (o) => availability.availabilityGuard(o) },
  { name: 'deadline', owns: deadline.owns, create: (o) => deadline.deadlineGuard(o) },
];

/** Every front guard in the order it runs. */
export const GUARDS: readonly GuardSpec[] = [...BEFORE_ACCESS, ...AFTER_ACCESS];
