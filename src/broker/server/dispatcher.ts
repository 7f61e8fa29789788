// Turns a request frame into a response frame: header, version check, handler, encoding.
// On SASL listeners the connection's SASL session decides first what may be served.
import type { Broker } from '../broker.js';
import { NO_RESPONSE, type RequestContext } from '../handlers/handler.js';
import { apiSpec, decodeRequest, decodeRequestHeader, encodeResponseFrame } from '../../protocol/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ConnectionInfo, FrameHandler } from './connection.js';

const API_VERSIONS = 18;

export function createDispatcher(broker: Broker): FrameHandler {
  return (frame: Buffer, conn: ConnectionInfo) => {
    const session = broker.security?.session(conn.id);
    if (session && !session.authenticated && session.rawTokens) {
      // After a v0 SaslHandshake the client sends bare SASL tokens, not Kafka requests.
      return session.rawToken(frame);
    }
    const header = decodeRequestHeader(frame);
    if (session && !session.accepts(header.apiKey)) {
      const name = apiSpec(header.apiKey)?.name ?? `api key ${header.apiKey}`;
      throw new Error(`unexpected ${name} request before SASL authentication completed on listener ${conn.listenerName}`);
    }
    const handler = broker.handler(header.apiKey);
    if (!handler || header.apiVersion < handler.minVersion || header.apiVersion > handler.maxVersion) {
      if (header.apiKey === API_VERSIONS) {
        // Kafka answers an ApiVersions it cannot parse in v0 form, listing what it does
        // support, so the client can pick a version and ask again.
        return encodeResponseFrame(API_VERSIONS, 0, header.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: broker.advertisedApis(),
        });
      }
      throw new Error(`unsupported request: api key ${header.apiKey} version ${header.apiVersion}`);
    }
    const request = decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset);
    const ctx: RequestContext = {
      broker,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      correlationId: header.correlationId,
      connectionId: conn.id,
      remoteAddress: conn.remoteAddress,
      listenerName: conn.listenerName,
      localAddress: conn.localAddress,
      localPort: conn.localPort,
    };
    const result = handler.handle(request, ctx);
    const finish = (body: unknown) => (body === NO_RESPONSE ? null : encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, body as object));
    return result instanceof Promise ? result.then(finish) : finish(result);
  };
}
