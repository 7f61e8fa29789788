// A client for any Confluent-compatible Schema Registry: the calls the serializers
// need, with answers cached (ids and their schemas never change).
import type { SchemaType } from './types.js';

export interface RegistryClientOptions {
  url: string;
  /** `user:password` for HTTP basic auth. */
  userInfo?: string;
  timeoutMs?: number;
}

export interface RegistrySchema {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: Array<{ name: string; subject: string; version: number }>;
  subject?: string;
  version?: number;
}

export class RegistryClientError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number,
  ) {
    super(message);
  }
}

export class RegistryClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly byId = new Map<number, Promise<RegistrySchema>>();
  private readonly timeoutMs: number;

  constructor(opts: RegistryClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.url.split(',')[0].trim());
    } catch {
      throw new RegistryClientError(`Invalid schema registry URL '${opts.url}'`, 0, 0);
    }
    let userInfo = opts.userInfo;
    if (url.username !== '' && userInfo === undefined)
      userInfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/+$/, '');
    this.headers = {
      'Content-Type': 'application/vnd.schemaregistry.v1+json',
      Accept: 'application/vnd.schemaregistry.v1+json, application/json',
    };
    if (userInfo) this.headers.Authorization = `Basic ${Buffer.from(userInfo).toString('base64')}`;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  get url(): string {
    return this.base;
  }

  /** Any REST call: the parsed JSON answer, or RegistryClientError with Confluent's code. */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: this.headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const c = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
      const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (err as Error).message;
      throw new RegistryClientError(`Cannot reach the schema registry at ${this.base}: ${cause}`, 0, 0);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const e = parsed as { error_code?: number; message?: string };
      const message = typeof e?.message === 'string' ? e.message : `HTTP ${res.status}`;
      throw new RegistryClientError(
        `Schema registry: ${message}${e?.error_code ? ` (error code ${e.error_code})` : ''}`,
        res.status,
        e?.error_code ?? res.status,
      );
    }
    return parsed as T;
  }

  private static typeOf(raw: { schemaType?: string }): SchemaType {
    return (raw.schemaType ?? 'AVRO') as SchemaType;
  }

  schemaById(id: number): Promise<RegistrySchema> {
    let hit = this.byId.get(id);
    if (!hit) {
      hit = this.call<{ schema: string; schemaType?: string; references?: RegistrySchema['references'] }>(
        'GET',
        `/schemas/ids/${id}`,
      ).then((raw) => ({
        id,
        schemaType: RegistryClient.typeOf(raw),
        schema: raw.schema,
        references: raw.references ?? [],
      }));
      // A failure is not cached: the next record may find the registry back.
      hit.catch(() => this.byId.delete(id));
      this.byId.set(id, hit);
    }
    return hit;
  }

  async register(
    subject: string,
    schemaType: SchemaType,
    schema: string,
    references: RegistrySchema['references'] = [],
  ): Promise<number> {
    const body: Record<string, unknown> = { schema };
    if (schemaType !== 'AVRO') body.schemaType = schemaType;
    if (references.length > 0) body.references = references;
    const r = await this.call<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, body);
    return r.id;
  }

  async lookup(
    subject: string,
    schemaType: SchemaType,
    schema: string,
    references: RegistrySchema['references'] = [],
  ): Promise<RegistrySchema> {
    const body: Record<string, unknown> = { schema };
    if (schemaType !== 'AVRO') body.schemaType = schemaType;
    if (references.length > 0) body.references = references;
    const r = await this.call<{
      id: number;
      subject: string;
      version: number;
      schema: string;
      schemaType?: string;
      references?: RegistrySchema['references'];
    }>('POST', `/subjects/${encodeURIComponent(subject)}`, body);
    return {
      id: r.id,
      subject: r.subject,
      version: r.version,
      schema: r.schema,
      schemaType: RegistryClient.typeOf(r),
      references: r.references ?? [],
    };
  }

  async version(subject: string, version: string | number = 'latest'): Promise<RegistrySchema> {
    const r = await this.call<{
      id: number;
      subject: string;
      version: number;
      schema: string;
      schemaType?: string;
      references?: RegistrySchema['references'];
    }>('GET', `/subjects/${encodeURIComponent(subject)}/versions/${encodeURIComponent(String(version))}`);
    return {
      id: r.id,
      subject: r.subject,
      version: r.version,
      schema: r.schema,
      schemaType: RegistryClient.typeOf(r),
      references: r.references ?? [],
    };
  }

  subjects(opts: { deleted?: boolean; prefix?: string } = {}): Promise<string[]> {
    const q = new URLSearchParams();
    if (opts.deleted) q.set('deleted', 'true');
    if (opts.prefix) q.set('subjectPrefix', opts.prefix);
    const qs = q.toString();
    return this.call<string[]>('GET', `/subjects${qs ? `?${qs}` : ''}`);
  }

  versions(subject: string, deleted = false): Promise<number[]> {
    return this.call<number[]>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions${deleted ? '?deleted=true' : ''}`,
    );
  }

  deleteSubject(subject: string, permanent = false): Promise<number[]> {
    return this.call<number[]>(
      'DELETE',
      `/subjects/${encodeURIComponent(subject)}${permanent ? '?permanent=true' : ''}`,
    );
  }

  deleteVersion(subject: string, version: string, permanent = false): Promise<number> {
    return this.call<number>(
      'DELETE',
      `/subjects/${encodeURIComponent(subject)}/versions/${encodeURIComponent(version)}${permanent ? '?permanent=true' : ''}`,
    );
  }

  async compatibility(
    subject: string,
    version: string | null,
    schemaType: SchemaType,
    schema: string,
    references: RegistrySchema['references'] = [],
  ): Promise<{ compatible: boolean; messages: string[] }> {
    const body: Record<string, unknown> = { schema };
    if (schemaType !== 'AVRO') body.schemaType = schemaType;
    if (references.length > 0) body.references = references;
    const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions${version === null ? '' : `/${encodeURIComponent(version)}`}?verbose=true`;
    const r = await this.call<{ is_compatible: boolean; messages?: string[] }>('POST', path, body);
    return { compatible: r.is_compatible, messages: r.messages ?? [] };
  }

  /** The subject's compatibility level, or the global one when subject is null. */
  async getCompatibilityLevel(subject: string | null, defaultToGlobal = true): Promise<string> {
    const path =
      subject === null
        ? '/config'
        : `/config/${encodeURIComponent(subject)}${defaultToGlobal ? '?defaultToGlobal=true' : ''}`;
    return (await this.call<{ compatibilityLevel: string }>('GET', path)).compatibilityLevel;
  }

  async setCompatibilityLevel(subject: string | null, level: string): Promise<string> {
    const path = subject === null ? '/config' : `/config/${encodeURIComponent(subject)}`;
    return (await this.call<{ compatibility: string }>('PUT', path, { compatibility: level })).compatibility;
  }

  async deleteCompatibilityLevel(subject: string): Promise<string> {
    return (await this.call<{ compatibilityLevel: string }>('DELETE', `/config/${encodeURIComponent(subject)}`))
      .compatibilityLevel;
  }

  async getMode(subject: string | null): Promise<string> {
    const path = subject === null ? '/mode' : `/mode/${encodeURIComponent(subject)}?defaultToGlobal=true`;
    return (await this.call<{ mode: string }>('GET', path)).mode;
  }

  async setMode(subject: string | null, mode: string): Promise<string> {
    const path = subject === null ? '/mode' : `/mode/${encodeURIComponent(subject)}`;
    return (await this.call<{ mode: string }>('PUT', path, { mode })).mode;
  }

  /** The referenced schemas, dependencies first, as the parsers want them. */
  async dependencies(
    references: RegistrySchema['references'],
    seen = new Set<string>(),
  ): Promise<Array<{ name: string; schema: string }>> {
    const out: Array<{ name: string; schema: string }> = [];
    for (const r of references) {
      const key = `${r.subject}/${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = await this.version(r.subject, r.version);
      out.push(...(await this.dependencies(target.references, seen)), { name: r.name, schema: target.schema });
    }
    return out;
  }
}
