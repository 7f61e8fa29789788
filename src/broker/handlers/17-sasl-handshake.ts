// SaslHandshake v0-1. On a SASL listener the connection's session picks the mechanism
// (v0: raw tokens follow; v1: SaslAuthenticate follows). Elsewhere, or once authenticated,
// Kafka answers ILLEGAL_SASL_STATE.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const saslHandshake: ApiHandler = {
  apiKey: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  handle(req: { mechanism: string }, ctx) {
    const session = ctx.broker.security?.session(ctx.connectionId);
    if (!session) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    return session.handshake(req.mechanism, ctx.apiVersion);
  },
};
