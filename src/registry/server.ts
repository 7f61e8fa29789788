// The registry's HTTP server on node:http: parses the request, checks basic auth,
// dispatches to a route and answers with Confluent's content type and error bodies.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { Errors, RegistryError } from './errors.js';
import { match } from './routes.js';
import type { RegistryService } from './service.js';
import { loadSchemaLib } from './schema-lib.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const MAX_BODY = 16 * 1024 * 1024;

export interface ServerOptions {
  service: RegistryService;
  /** user -> password; when set, every request needs HTTP basic auth. */
  users?: Map<string, string>;
  log?: (line: string) => void;
}

export function createRegistryServer(opts: ServerOptions): Server {
  const server = createServer((req, res) => {
    void handle(opts, req, res);
  });
  // Slow or stalled clients cannot hold a connection forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = CONTENT_TYPE,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendError(res: ServerResponse, err: RegistryError): void {
  const extra: Record<string, string> =
    err.status === 401 ? { 'WWW-Authenticate': 'Basic realm="SchemaRegistry"' } : {};
  send(res, err.status, JSON.stringify(err.body()), CONTENT_TYPE, extra);
}

function authorized(users: Map<string, string>, header: string | undefined): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const expected = users.get(decoded.slice(0, colon));
  if (expected === undefined) return false;
  const a = Buffer.from(decoded.slice(colon + 1));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Errors.badRequest(`The request body is larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(opts: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (opts.users && opts.users.size > 0 && !authorized(opts.users, req.headers.authorization))
      throw Errors.unauthorized();
    const url = new URL(req.url ?? '/', 'http://registry');
    const path = url.pathname.replace(/\/+$/, '');
    const found = match(req.method ?? 'GET', path);
    if ('error' in found) throw found.error === 'method' ? Errors.methodNotAllowed() : Errors.notFound();
    const text = req.method === 'GET' || req.method === 'DELETE' ? '' : await readBody(req);
    let body: unknown = null;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new RegistryError(400, 400, `Unexpected character in the request body: ${(err as Error).message}`);
      }
    }
    // Calls with a schema in the body parse it; everything else needs no schema library.
    if (req.method === 'POST') await loadSchemaLib();
    const result = found.route.handle(opts.service, { params: found.params, query: url.searchParams, body });
    if ('text' in result) send(res, 200, result.text, 'text/plain; charset=utf-8');
    else send(res, 200, JSON.stringify(result.json));
  } catch (err) {
    if (err instanceof RegistryError) {
      sendError(res, err);
      return;
    }
    opts.log?.(`Schema registry: ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
    sendError(res, Errors.internal((err as Error).message));
  }
}
