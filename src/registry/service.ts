// What each REST call does to the registry's state, in Confluent's semantics: ids are
// shared by equal schemas across subjects and never reused, versions only grow, a
// delete is soft first and permanent second, and registrations pass the subject's
// compatibility level and mode.
import type { ParsedSchema } from '../schemas/parse.js';
import { canonicalText, SchemaParseError } from '../schemas/types.js';
import { schemaLib } from './schema-lib.js';
import { Errors, RegistryError } from './errors.js';
import type { RegistryState } from './storage.js';
import {
  isCompatibilityLevel,
  isMode,
  isSchemaType,
  type CompatibilityLevel,
  type Mode,
  type Reference,
  type SchemaType,
  type SubjectVersion,
} from './types.js';

export interface SchemaBody {
  schema?: unknown;
  schemaType?: unknown;
  references?: unknown;
  id?: unknown;
  version?: unknown;
}

export interface ServiceOptions {
  defaultCompatibility?: CompatibilityLevel;
}

const MAX_VERSION = 2 ** 31 - 1;

export class RegistryService {
  private readonly parsed = new Map<string, ParsedSchema>();
  private readonly defaultCompatibility: CompatibilityLevel;

  constructor(
    readonly state: RegistryState,
    options: ServiceOptions = {},
  ) {
    this.defaultCompatibility = options.defaultCompatibility ?? 'BACKWARD';
  }

  // ---- reading ----------------------------------------------------------------------

  listSubjects(opts: { deleted?: boolean; prefix?: string } = {}): string[] {
    const out: string[] = [];
    for (const [subject, versions] of this.state.subjects) {
      if (opts.prefix && !subject.startsWith(opts.prefix)) continue;
      if ([...versions.values()].some((v) => opts.deleted || !v.deleted)) out.push(subject);
    }
    return out.sort();
  }

  /** The subject's versions in order; 40401 when it has none visible. */
  private versionsOf(subject: string, deleted = false): SubjectVersion[] {
    const all = [...(this.state.subjects.get(subject)?.values() ?? [])]
      .filter((v) => deleted || !v.deleted)
      .sort((a, b) => a.version - b.version);
    if (all.length === 0) throw Errors.subjectNotFound(subject);
    return all;
  }

  listVersions(subject: string, deleted = false): number[] {
    return this.versionsOf(subject, deleted).map((v) => v.version);
  }

  /** `latest` or -1 is the newest visible version; other numbers must be 1..2^31-1. */
  getVersion(subject: string, versionText: string, deleted = false): SubjectVersion {
    const versions = this.versionsOf(subject, deleted);
    const n = parseVersion(versionText);
    if (n === 'latest') return versions[versions.length - 1];
    const found = versions.find((v) => v.version === n);
    if (!found) throw Errors.versionNotFound(n);
    return found;
  }

  schemaById(id: number): { schemaType: SchemaType; schema: string; references: Reference[] } {
    const s = this.state.byId.get(id);
    if (!s) throw Errors.schemaNotFound(id);
    return s;
  }

  subjectsForId(id: number, deleted = false): string[] {
    this.schemaById(id);
    const vs = this.state.versionsWithId(id).filter((v) => deleted || !v.deleted);
    return [...new Set(vs.map((v) => v.subject))].sort();
  }

  versionsForId(id: number, deleted = false): Array<{ subject: string; version: number }> {
    this.schemaById(id);
    return this.state
      .versionsWithId(id)
      .filter((v) => deleted || !v.deleted)
      .map((v) => ({ subject: v.subject, version: v.version }))
      .sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  }

  referencedBy(subject: string, versionText: string): number[] {
    const target = this.getVersion(subject, versionText, true);
    const ids = new Set<number>();
    for (const versions of this.state.subjects.values()) {
      for (const v of versions.values()) {
        if (!v.deleted && v.references.some((r) => r.subject === target.subject && r.version === target.version))
          ids.add(v.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** POST /subjects/{subject}: the version under which this exact schema is registered. */
  lookup(subject: string, body: SchemaBody, deleted = false): SubjectVersion {
    const input = this.readBody(body);
    const versions = [...(this.state.subjects.get(subject)?.values() ?? [])].filter((v) => deleted || !v.deleted);
    if (versions.length === 0) throw Errors.subjectNotFound(subject);
    this.parse(input);
    const match = versions.sort((a, b) => b.version - a.version).find((v) => this.same(v, input));
    if (!match) throw Errors.schemaNotFound();
    return match;
  }

  // ---- registering ------------------------------------------------------------------

  register(subject: string, body: SchemaBody): { id: number } {
    if (subject.length === 0 || /[\u0000-\u001f]/.test(subject)) throw Errors.invalidSubject(subject);
    const mode = this.effectiveMode(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE')
      throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    const input = this.readBody(body);
    const importing = mode === 'IMPORT';
    if (!importing && body.id !== undefined && body.id !== null && body.id !== -1) {
      throw Errors.operationNotPermitted(`Subject ${subject} is not in import mode`);
    }
    const candidate = this.parse(input);
    const all = [...(this.state.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    const live = all.filter((v) => !v.deleted);
    const existing = live.find((v) => this.same(v, input));
    if (existing && !importing) return { id: existing.id };

    if (!importing) {
      const level = this.effectiveCompatibility(subject);
      const previous = live.map((v) => ({ version: v.version, schema: this.parse(v) }));
      const reasons = schemaLib().compat.checkCompatibility(level, candidate, previous);
      if (reasons.length > 0) throw Errors.incompatible(subject, reasons);
    }

    let id: number;
    if (importing && typeof body.id === 'number' && body.id > 0) {
      id = body.id;
      const taken = this.state.byId.get(id);
      if (taken && canonicalText(taken.schemaType, taken.schema) !== canonicalText(input.schemaType, input.schema))
        throw Errors.idInUse(id);
    } else {
      id = this.idFor(input) ?? this.state.maxId + 1;
    }
    let version = (all[all.length - 1]?.version ?? 0) + 1;
    if (importing && typeof body.version === 'number') {
      if (!Number.isInteger(body.version) || body.version < 1 || body.version > MAX_VERSION)
        throw Errors.invalidVersion(String(body.version));
      version = body.version;
    }
    // Stored in canonical form (compact JSON, trimmed proto), as Confluent's registry does.
    const schema = canonicalText(input.schemaType, input.schema);
    this.store({
      subject,
      version,
      id,
      schemaType: input.schemaType,
      schema,
      references: input.references,
      deleted: false,
    });
    return { id };
  }

  private store(v: SubjectVersion): void {
    try {
      this.state.putVersion(v);
    } catch (err) {
      throw Errors.storeError((err as Error).message);
    }
  }

  /** The id an equal schema already has anywhere in the registry. */
  private idFor(input: { schemaType: SchemaType; schema: string; references: Reference[] }): number | undefined {
    for (const [id, s] of this.state.byId) if (this.same({ ...s }, input)) return id;
    return undefined;
  }

  private same(
    a: { schemaType: SchemaType; schema: string; references: Reference[] },
    b: { schemaType: SchemaType; schema: string; references: Reference[] },
  ): boolean {
    return (
      a.schemaType === b.schemaType &&
      canonicalText(a.schemaType, a.schema) === canonicalText(b.schemaType, b.schema) &&
      JSON.stringify(a.references) === JSON.stringify(b.references)
    );
  }

  private readBody(body: SchemaBody): { schemaType: SchemaType; schema: string; references: Reference[] } {
    if (typeof body !== 'object' || body === null) throw Errors.badRequest('The request body must be a JSON object');
    if (typeof body.schema !== 'string') throw Errors.invalidSchema('the request has no schema string');
    const schemaType = body.schemaType === undefined || body.schemaType === null ? 'AVRO' : body.schemaType;
    if (!isSchemaType(schemaType)) throw Errors.invalidSchema(`unknown schema type ${String(schemaType)}`);
    const refs = body.references ?? [];
    if (!Array.isArray(refs)) throw Errors.invalidSchema('references must be an array');
    const references: Reference[] = refs.map((r: unknown) => {
      const o = r as Record<string, unknown>;
      if (typeof o?.name !== 'string' || typeof o.subject !== 'string' || typeof o.version !== 'number') {
        throw Errors.invalidSchema('a reference needs a name, a subject and a version');
      }
      return { name: o.name, subject: o.subject, version: o.version };
    });
    return { schemaType, schema: body.schema, references };
  }

  /** The referenced schemas, dependencies first, for the parsers. */
  dependencies(references: Reference[], seen = new Set<string>()): Array<{ name: string; schema: string }> {
    const out: Array<{ name: string; schema: string }> = [];
    for (const r of references) {
      const key = `${r.subject}/${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const versions = [...(this.state.subjects.get(r.subject)?.values() ?? [])];
      const target =
        r.version === -1
          ? versions.filter((v) => !v.deleted).sort((a, b) => b.version - a.version)[0]
          : versions.find((v) => v.version === r.version);
      if (!target)
        throw Errors.invalidSchema(`reference ${r.name} names ${r.subject} version ${r.version}, which does not exist`);
      out.push(...this.dependencies(target.references, seen), { name: r.name, schema: target.schema });
    }
    return out;
  }

  private parse(s: { schemaType: SchemaType; schema: string; references: Reference[] }): ParsedSchema {
    const key = `${s.schemaType}\u0000${s.schema}\u0000${JSON.stringify(s.references)}`;
    const hit = this.parsed.get(key);
    if (hit) return hit;
    let parsed: ParsedSchema;
    try {
      parsed = schemaLib().parse.parseSchema({
        schemaType: s.schemaType,
        schema: s.schema,
        dependencies: this.dependencies(s.references),
      });
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      if (err instanceof SchemaParseError) throw Errors.invalidSchema(err.message);
      throw Errors.invalidSchema((err as Error).message);
    }
    if (this.parsed.size > 1000) this.parsed.clear();
    this.parsed.set(key, parsed);
    return parsed;
  }

  // ---- compatibility ----------------------------------------------------------------

  /** POST /compatibility/subjects/{s}/versions[/{v}]: the reasons the schema is incompatible. */
  testCompatibility(subject: string, versionText: string | null, body: SchemaBody): string[] {
    const input = this.readBody(body);
    const candidate = this.parse(input);
    const level = this.effectiveCompatibility(subject);
    if (versionText === null) {
      const live = [...(this.state.subjects.get(subject)?.values() ?? [])]
        .filter((v) => !v.deleted)
        .sort((a, b) => a.version - b.version);
      return schemaLib().compat.checkCompatibility(
        level,
        candidate,
        live.map((v) => ({ version: v.version, schema: this.parse(v) })),
      );
    }
    const target = this.getVersion(subject, versionText);
    return schemaLib().compat.checkCompatibility(level, candidate, [
      { version: target.version, schema: this.parse(target) },
    ]);
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.state.subjectCompatibility.get(subject) ?? this.state.globalCompatibility ?? this.defaultCompatibility;
  }

  getConfig(subject: string | null, defaultToGlobal = false): { compatibilityLevel: CompatibilityLevel } {
    if (subject === null) return { compatibilityLevel: this.state.globalCompatibility ?? this.defaultCompatibility };
    const own = this.state.subjectCompatibility.get(subject);
    if (own) return { compatibilityLevel: own };
    if (defaultToGlobal) return this.getConfig(null);
    throw Errors.subjectConfigNotFound(subject);
  }

  setConfig(subject: string | null, body: unknown): { compatibility: CompatibilityLevel } {
    const raw =
      (body as { compatibility?: unknown; compatibilityLevel?: unknown } | null)?.compatibility ??
      (body as { compatibilityLevel?: unknown } | null)?.compatibilityLevel;
    const level = typeof raw === 'string' ? raw.toUpperCase() : raw;
    if (!isCompatibilityLevel(level)) throw Errors.invalidCompatibility();
    if (subject !== null && this.effectiveMode(subject) === 'READONLY')
      throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    this.write(() => this.state.setCompatibility(subject, level));
    return { compatibility: level };
  }

  deleteConfig(subject: string | null): { compatibilityLevel: CompatibilityLevel } {
    const previous = this.getConfig(subject);
    this.write(() => this.state.setCompatibility(subject, null));
    return previous;
  }

  // ---- modes ------------------------------------------------------------------------

  effectiveMode(subject: string | null): Mode {
    return (subject !== null ? this.state.subjectMode.get(subject) : undefined) ?? this.state.globalMode ?? 'READWRITE';
  }

  getMode(subject: string | null, defaultToGlobal = false): { mode: Mode } {
    if (subject === null) return { mode: this.effectiveMode(null) };
    const own = this.state.subjectMode.get(subject);
    if (own) return { mode: own };
    if (defaultToGlobal) return { mode: this.effectiveMode(null) };
    throw Errors.subjectModeNotFound(subject);
  }

  setMode(subject: string | null, body: unknown, force = false): { mode: Mode } {
    const raw = (body as { mode?: unknown } | null)?.mode;
    const mode = typeof raw === 'string' ? raw.toUpperCase() : raw;
    if (!isMode(mode)) throw Errors.invalidMode(String(raw));
    // Confluent only enters IMPORT on an empty registry (or subject) unless forced, so imported ids cannot collide.
    if (mode === 'IMPORT' && !force) {
      const nonEmpty = subject === null ? this.state.subjects.size > 0 : this.state.subjects.has(subject);
      if (nonEmpty) throw Errors.operationNotPermitted('Cannot import since found existing subjects');
    }
    this.write(() => this.state.setMode(subject, mode));
    return { mode };
  }

  deleteMode(subject: string): { mode: Mode } {
    const previous = this.getMode(subject);
    this.write(() => this.state.setMode(subject, null));
    return previous;
  }

  // ---- deleting ---------------------------------------------------------------------

  deleteVersion(subject: string, versionText: string, permanent: boolean): number {
    if (this.effectiveMode(subject) === 'READONLY')
      throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    const all = [...(this.state.subjects.get(subject)?.values() ?? [])];
    if (all.length === 0) throw Errors.subjectNotFound(subject);
    const n = parseVersion(versionText);
    const target = n === 'latest' ? this.getVersion(subject, 'latest', permanent) : all.find((v) => v.version === n);
    if (!target) throw Errors.versionNotFound(n);
    const referrers = this.referencedBy(subject, String(target.version));
    if (referrers.length > 0) {
      throw Errors.referenceExists(
        `One or more references exist to the schema {subject=${subject},version=${target.version}}.`,
      );
    }
    if (permanent) {
      if (!target.deleted) throw Errors.versionNotSoftDeleted(subject, target.version);
      this.write(() => this.state.removeVersion(subject, target.version));
    } else {
      if (target.deleted) throw Errors.versionSoftDeleted(subject, target.version);
      this.write(() => this.state.putVersion({ ...target, deleted: true }));
    }
    return target.version;
  }

  deleteSubject(subject: string, permanent: boolean): number[] {
    if (this.effectiveMode(subject) === 'READONLY')
      throw Errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
    const all = [...(this.state.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    if (all.length === 0) throw Errors.subjectNotFound(subject);
    for (const v of all) {
      if (this.referencedBy(subject, String(v.version)).length > 0) {
        throw Errors.referenceExists(
          `One or more references exist to the schema {subject=${subject},version=${v.version}}.`,
        );
      }
    }
    if (permanent) {
      if (all.some((v) => !v.deleted)) throw Errors.subjectNotSoftDeleted(subject);
      this.write(() => {
        for (const v of all) this.state.removeVersion(subject, v.version);
        if (this.state.subjectCompatibility.has(subject)) this.state.setCompatibility(subject, null);
        if (this.state.subjectMode.has(subject)) this.state.setMode(subject, null);
      });
      return all.map((v) => v.version);
    }
    const live = all.filter((v) => !v.deleted);
    if (live.length === 0) throw Errors.subjectSoftDeleted(subject);
    this.write(() => {
      for (const v of live) this.state.putVersion({ ...v, deleted: true });
    });
    return live.map((v) => v.version);
  }

  private write(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw Errors.storeError((err as Error).message);
    }
  }
}

function parseVersion(text: string): number | 'latest' {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d+$/.test(text)) throw Errors.invalidVersion(text);
  const n = Number(text);
  if (n < 1 || n > MAX_VERSION) throw Errors.invalidVersion(text);
  return n;
}
