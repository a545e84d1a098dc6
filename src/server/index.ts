/**
 * statuskit/server — the node:http front: parser failures, guards in
 * contract order, routes, and an error boundary that answers every failure
 * with the profile's error body. See docs/pipeline.md.
 */

export { StatusError } from '../errors.ts';
export { negotiate } from './guards/accept.ts';
export { GUARDS, type GuardSpec } from './guards/index.ts';
export { mediaTypeOf, rangeCovers } from './guards/media.ts';
export * from './helpers/index.ts';
export type { Limits, ServerOptions, Unavailable } from './options.ts';
export { DEFAULT_METHODS } from './options.ts';
export { createFront, type Front, type NodeHandler } from './pipeline.ts';
export { sendEmpty, sendError, sendJson } from './respond.ts';
export { createServer } from './serve.ts';
export { type Fault, faultOf, mediaTypeChosen, STATE } from './state.ts';
export type { Forwarding, Guard, Handler, RequestContext, RouteDef } from './types.ts';
