// The REST routes of Confluent's Schema Registry API, each a method, a path pattern
// and what it answers. Query flags are read as Confluent reads them (`deleted=true`).
import { Errors } from './errors.js';
import type { RegistryService, SchemaBody } from './service.js';
import { SCHEMA_TYPES } from './types.js';

export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

/** A JSON value to send, or a raw string (the /schema endpoints answer the schema text itself). */
export type RouteResult = { json: unknown } | { text: string };

interface Route {
  method: string;
  pattern: RegExp;
  handle: (svc: RegistryService, req: RouteRequest) => RouteResult;
}

const SEG = '([^/]+)';
const flag = (q: URLSearchParams, name: string) => q.get(name)?.toLowerCase() === 'true';
const json = (v: unknown): RouteResult => ({ json: v });

function idParam(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw Errors.schemaNotFound();
  return n;
}

/** Confluent omits schemaType for AVRO and references when there are none. */
function schemaView(s: { schemaType: string; schema: string; references: unknown[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.schemaType !== 'AVRO') out.schemaType = s.schemaType;
  if (s.references.length > 0) out.references = s.references;
  out.schema = s.schema;
  return out;
}

function versionView(v: {
  subject: string;
  version: number;
  id: number;
  schemaType: string;
  schema: string;
  references: unknown[];
}) {
  return { subject: v.subject, version: v.version, id: v.id, ...schemaView(v) };
}

function r(method: string, path: string, handle: Route['handle']): Route {
  return { method, pattern: new RegExp(`^${path.replace(/\{\w+\}/g, SEG)}/?$`), handle };
}

export const ROUTES: Route[] = [
  r('GET', '', () => json({})),
  r('GET', '/schemas/types', () => json(SCHEMA_TYPES)),
  r('GET', '/schemas', (svc, { query }) => {
    const deleted = flag(query, 'deleted');
    const latestOnly = flag(query, 'latestOnly');
    const prefix = query.get('subjectPrefix') ?? '';
    const out = [];
    for (const subject of svc.listSubjects({ deleted, prefix })) {
      const versions = svc.listVersions(subject, deleted);
      for (const v of latestOnly ? versions.slice(-1) : versions)
        out.push(versionView(svc.getVersion(subject, String(v), deleted)));
    }
    return json(out);
  }),
  r('GET', '/schemas/ids/{id}', (svc, { params }) => json(schemaView(svc.schemaById(idParam(params[0]))))),
  r('GET', '/schemas/ids/{id}/schema', (svc, { params }) => ({ text: svc.schemaById(idParam(params[0])).schema })),
  r('GET', '/schemas/ids/{id}/subjects', (svc, { params, query }) =>
    json(svc.subjectsForId(idParam(params[0]), flag(query, 'deleted'))),
  ),
  r('GET', '/schemas/ids/{id}/versions', (svc, { params, query }) =>
    json(svc.versionsForId(idParam(params[0]), flag(query, 'deleted'))),
  ),
  r('GET', '/subjects', (svc, { query }) =>
    json(svc.listSubjects({ deleted: flag(query, 'deleted'), prefix: query.get('subjectPrefix') ?? '' })),
  ),
  r('POST', '/subjects/{subject}', (svc, { params, query, body }) =>
    json(versionView(svc.lookup(params[0], body as SchemaBody, flag(query, 'deleted')))),
  ),
  r('DELETE', '/subjects/{subject}', (svc, { params, query }) =>
    json(svc.deleteSubject(params[0], flag(query, 'permanent'))),
  ),
  r('GET', '/subjects/{subject}/versions', (svc, { params, query }) =>
    json(svc.listVersions(params[0], flag(query, 'deleted'))),
  ),
  r('POST', '/subjects/{subject}/versions', (svc, { params, body }) =>
    json(svc.register(params[0], body as SchemaBody)),
  ),
  r('GET', '/subjects/{subject}/versions/{version}', (svc, { params, query }) =>
    json(versionView(svc.getVersion(params[0], params[1], flag(query, 'deleted')))),
  ),
  r('GET', '/subjects/{subject}/versions/{version}/schema', (svc, { params, query }) => ({
    text: svc.getVersion(params[0], params[1], flag(query, 'deleted')).schema,
  })),
  r('GET', '/subjects/{subject}/versions/{version}/referencedby', (svc, { params }) =>
    json(svc.referencedBy(params[0], params[1])),
  ),
  r('DELETE', '/subjects/{subject}/versions/{version}', (svc, { params, query }) =>
    json(svc.deleteVersion(params[0], params[1], flag(query, 'permanent'))),
  ),
  r('POST', '/compatibility/subjects/{subject}/versions', (svc, { params, query, body }) =>
    compatibility(svc.testCompatibility(params[0], null, body as SchemaBody), query),
  ),
  r('POST', '/compatibility/subjects/{subject}/versions/{version}', (svc, { params, query, body }) =>
    compatibility(svc.testCompatibility(params[0], params[1], body as SchemaBody), query),
  ),
  r('GET', '/config', (svc) => json(svc.getConfig(null))),
  r('PUT', '/config', (svc, { body }) => json(svc.setConfig(null, body))),
  r('DELETE', '/config', (svc) => json(svc.deleteConfig(null))),
  r('GET', '/config/{subject}', (svc, { params, query }) =>
    json(svc.getConfig(params[0], flag(query, 'defaultToGlobal'))),
  ),
  r('PUT', '/config/{subject}', (svc, { params, body }) => json(svc.setConfig(params[0], body))),
  r('DELETE', '/config/{subject}', (svc, { params }) => json(svc.deleteConfig(params[0]))),
  r('GET', '/mode', (svc) => json(svc.getMode(null))),
  r('PUT', '/mode', (svc, { body, query }) => json(svc.setMode(null, body, flag(query, 'force')))),
  r('GET', '/mode/{subject}', (svc, { params, query }) => json(svc.getMode(params[0], flag(query, 'defaultToGlobal')))),
  r('PUT', '/mode/{subject}', (svc, { params, body, query }) =>
    json(svc.setMode(params[0], body, flag(query, 'force'))),
  ),
  r('DELETE', '/mode/{subject}', (svc, { params }) => json(svc.deleteMode(params[0]))),
];

function compatibility(reasons: string[], query: URLSearchParams): RouteResult {
  const out: Record<string, unknown> = { is_compatible: reasons.length === 0 };
  if (flag(query, 'verbose')) out.messages = reasons;
  return json(out);
}

/** The route for a method and path: its handler and decoded path parameters, or the error to answer. */
export function match(
  method: string,
  path: string,
): { route: Route; params: string[] } | { error: 'not-found' | 'method' } {
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return { error: pathMatched ? 'method' : 'not-found' };
}
