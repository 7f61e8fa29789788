// SaslAuthenticate v0-2: one SASL token each way. A failure answers
// SASL_AUTHENTICATION_FAILED and the connection closes after the answer.
import { ErrorCode } from '../../protocol/errors.js';
import type { ApiHandler } from './handler.js';

export const saslAuthenticate: ApiHandler = {
  apiKey: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  handle(req: { authBytes: Buffer }, ctx) {
    const session = ctx.broker.security?.session(ctx.connectionId);
    if (!session) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate request received after successful authentication',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
      };
    }
    return session.authenticate(req.authBytes);
  },
};
