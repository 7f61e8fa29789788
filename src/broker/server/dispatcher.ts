// Turns a request frame into a response frame: header, version check, handler, encoding.
// On SASL listeners the connection's SASL session decides first what may be served; in
// tests, request controls may answer, delay or drop a request before its handler.
import type { Broker } from '../broker.js';
import { NO_RESPONSE, type RequestContext } from '../handlers/handler.js';
import type { ApiRegistry } from './api-registry.js';
import type { ControlAction, RequestControls } from './request-controls.js';
import { apiSpec, decodeRequest, decodeRequestHeader, encodeResponseFrame } from '../../protocol/index.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ConnectionInfo, FrameHandler } from './connection.js';

const API_VERSIONS = 18;

export function createDispatcher(broker: Broker, apis: ApiRegistry, controls?: RequestControls): FrameHandler {
  return (frame: Buffer, conn: ConnectionInfo) => {
    const session = broker.security?.session(conn.id);
    if (session && !session.authenticated && session.rawTokens) {
      // After a v0 SaslHandshake the client sends bare SASL tokens, not Kafka requests.
      return session.rawToken(frame);
    }
    const header = decodeRequestHeader(frame);
    if (session && !session.accepts(header.apiKey)) {
      const name = apiSpec(header.apiKey)?.name ?? `api key ${header.apiKey}`;
      throw new Error(
        `unexpected ${name} request before SASL authentication completed on listener ${conn.listenerName}`,
      );
    }
    const unsupported = () => {
      if (header.apiKey === API_VERSIONS) {
        // Kafka answers an ApiVersions it cannot parse in v0 form, listing what it does
        // support, so the client can pick a version and ask again.
        return encodeResponseFrame(API_VERSIONS, 0, header.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: apis.advertised(),
        });
      }
      throw new Error(`unsupported request: api key ${header.apiKey} version ${header.apiVersion}`);
    };
    const served = apis.serves(header.apiKey, header.apiVersion);
    // A test control may answer versions (or APIs) the broker does not serve.
    if (!served && !(controls?.covers(header.apiKey) ?? false)) return unsupported();
    const request = decodeRequest(header.apiKey, header.apiVersion, frame, header.bodyOffset);
    const ctx: RequestContext = {
      broker,
      apis,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      correlationId: header.correlationId,
      connectionId: conn.id,
      remoteAddress: conn.remoteAddress,
      listenerName: conn.listenerName,
      localAddress: conn.localAddress,
      localPort: conn.localPort,
    };
    const finish = (body: unknown) =>
      body === NO_RESPONSE
        ? null
        : encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, body as object);
    const serve = () => {
      const handler = apis.handler(header.apiKey);
      if (handler === undefined)
        throw new Error(`unsupported request: api key ${header.apiKey} version ${header.apiVersion}`);
      const result = handler.handle(request, ctx);
      return result instanceof Promise ? result.then(finish) : finish(result);
    };
    if (controls === undefined || !controls.active) return serve();
    const apply = (action: ControlAction | undefined): ReturnType<FrameHandler> => {
      if (action === undefined) return served ? serve() : unsupported();
      if ('respond' in action) return finish(action.respond);
      if ('hold' in action) return new Promise<never>(() => {});
      if ('drop' in action) throw new Error(`dropped by a test control (api key ${header.apiKey})`);
      return new Promise((resolve) => setTimeout(resolve, action.delayMs)).then(() => apply(action.then));
    };
    return apply(
      controls.decide({
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
        clientId: header.clientId,
        body: request,
      }),
    );
  };
}
