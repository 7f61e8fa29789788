// The registry's state and its log. Every change is first appended to the `_schemas`
// log as Confluent's registry writes it (JSON keys and values, a null value deletes),
// then applied to memory; a restart replays the log. The log itself is supplied by
// the host process (the dev broker writes it to its own compacted partition).
import type { CompatibilityLevel, Mode, Reference, SchemaType, SubjectVersion } from './types.js';
import { isCompatibilityLevel, isMode, isSchemaType } from './types.js';

export interface LogRecord {
  key: Buffer | null;
  value: Buffer | null;
}

export interface SchemaLog {
  /** Appends one record durably enough to be read back after a restart; throws on failure. */
  append(key: Buffer, value: Buffer | null): void;
  /** Every record in the log, oldest first. */
  readAll(): Iterable<LogRecord>;
}

/** An in-memory log, for registries that need no persistence (and for tests). */
export class MemoryLog implements SchemaLog {
  readonly records: LogRecord[] = [];
  append(key: Buffer, value: Buffer | null): void {
    this.records.push({ key, value });
  }
  readAll(): Iterable<LogRecord> {
    return this.records;
  }
}

// Key shapes, field order as Confluent serializes them so compaction sees equal bytes.
const schemaKey = (subject: string, version: number) => ({ keytype: 'SCHEMA', subject, version, magic: 1 });
const configKey = (subject: string | null) => ({ keytype: 'CONFIG', subject, magic: 0 });
const modeKey = (subject: string | null) => ({ keytype: 'MODE', subject, magic: 0 });
/**
 * The highest schema id ever handed out. Hard deletes leave tombstones that compaction
 * removes, after which the highest id could vanish from the log and be handed out again;
 * this record keeps it. A NOOP key, which Confluent's registry skips when reading.
 */
const idFloorKey = () => ({ keytype: 'NOOP', magic: 0, purpose: 'ktool-max-schema-id' });

const encode = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

export class RegistryState {
  /** subject -> version -> record. */
  readonly subjects = new Map<string, Map<number, SubjectVersion>>();
  /** id -> the schema it names (the first registration's text). */
  readonly byId = new Map<number, { schemaType: SchemaType; schema: string; references: Reference[] }>();
  maxId = 0;
  globalCompatibility: CompatibilityLevel | null = null;
  readonly subjectCompatibility = new Map<string, CompatibilityLevel>();
  globalMode: Mode | null = null;
  readonly subjectMode = new Map<string, Mode>();

  constructor(
    private readonly log: SchemaLog,
    private readonly warn: (line: string) => void = () => {},
  ) {}

  /** Replays the log into memory. */
  load(): void {
    let n = 0;
    for (const rec of this.log.readAll()) {
      if (rec.key === null) continue;
      let key: Record<string, unknown>;
      let value: Record<string, unknown> | null;
      try {
        key = JSON.parse(rec.key.toString('utf8'));
        value = rec.value === null ? null : JSON.parse(rec.value.toString('utf8'));
      } catch {
        this.warn('Skipping a _schemas record that is not JSON');
        continue;
      }
      this.apply(key, value);
      n++;
    }
    return void n;
  }

  private apply(key: Record<string, unknown>, value: Record<string, unknown> | null): void {
    const subject = typeof key.subject === 'string' ? key.subject : null;
    switch (key.keytype) {
      case 'SCHEMA': {
        if (subject === null || typeof key.version !== 'number') return;
        if (value === null) {
          const versions = this.subjects.get(subject);
          const gone = versions?.get(key.version);
          versions?.delete(key.version);
          if (versions && versions.size === 0) this.subjects.delete(subject);
          if (gone && this.versionsWithId(gone.id).length === 0) this.byId.delete(gone.id);
          return;
        }
        const schemaType = value.schemaType === undefined || value.schemaType === null ? 'AVRO' : value.schemaType;
        if (typeof value.id !== 'number' || typeof value.schema !== 'string' || !isSchemaType(schemaType)) return;
        const record: SubjectVersion = {
          subject,
          version: key.version,
          id: value.id,
          schemaType,
          schema: value.schema,
          references: Array.isArray(value.references) ? (value.references as Reference[]) : [],
          deleted: value.deleted === true,
        };
        let versions = this.subjects.get(subject);
        if (!versions) this.subjects.set(subject, (versions = new Map()));
        versions.set(record.version, record);
        if (!this.byId.has(record.id))
          this.byId.set(record.id, { schemaType, schema: record.schema, references: record.references });
        this.maxId = Math.max(this.maxId, record.id);
        return;
      }
      case 'CONFIG': {
        const level = value?.compatibilityLevel ?? value?.compatibility;
        if (subject === null) this.globalCompatibility = isCompatibilityLevel(level) ? level : null;
        else if (isCompatibilityLevel(level)) this.subjectCompatibility.set(subject, level);
        else this.subjectCompatibility.delete(subject);
        return;
      }
      case 'MODE': {
        const mode = value?.mode;
        if (subject === null) this.globalMode = isMode(mode) ? mode : null;
        else if (isMode(mode)) this.subjectMode.set(subject, mode);
        else this.subjectMode.delete(subject);
        return;
      }
      case 'DELETE_SUBJECT': {
        // Confluent's soft delete of a whole subject: every version up to `version` is deleted.
        const upTo = typeof value?.version === 'number' ? value.version : Infinity;
        for (const v of this.subjects.get(subject ?? '')?.values() ?? []) if (v.version <= upTo) v.deleted = true;
        return;
      }
      case 'CLEAR_SUBJECT': {
        // Confluent's hard delete of a subject's soft-deleted versions.
        const versions = this.subjects.get(subject ?? '');
        if (!versions) return;
        for (const [n, v] of versions) if (v.deleted) versions.delete(n);
        if (versions.size === 0) this.subjects.delete(subject ?? '');
        return;
      }
      case 'NOOP':
        if (key.purpose === 'ktool-max-schema-id' && typeof value?.maxId === 'number')
          this.maxId = Math.max(this.maxId, value.maxId);
        return;
      default:
        return;
    }
  }

  private write(key: Record<string, unknown>, value: Record<string, unknown> | null): void {
    this.log.append(encode(key), value === null ? null : encode(value));
    this.apply(key, value);
  }

  putVersion(v: SubjectVersion): void {
    const value: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
    if (v.schemaType !== 'AVRO') value.schemaType = v.schemaType;
    if (v.references.length > 0) value.references = v.references;
    value.schema = v.schema;
    value.deleted = v.deleted;
    this.write(schemaKey(v.subject, v.version), value);
  }

  removeVersion(subject: string, version: number): void {
    const id = this.subjects.get(subject)?.get(version)?.id;
    if (id !== undefined && id >= this.maxId) this.write(idFloorKey(), { maxId: this.maxId });
    this.write(schemaKey(subject, version), null);
    if (id !== undefined && !this.versionsWithId(id).length) this.byId.delete(id);
  }

  /** Every subject version (soft-deleted included) that carries schema `id`. */
  versionsWithId(id: number): SubjectVersion[] {
    const out: SubjectVersion[] = [];
    for (const versions of this.subjects.values()) for (const v of versions.values()) if (v.id === id) out.push(v);
    return out;
  }

  setCompatibility(subject: string | null, level: CompatibilityLevel | null): void {
    this.write(configKey(subject), level === null ? null : { compatibilityLevel: level });
  }

  setMode(subject: string | null, mode: Mode | null): void {
    this.write(modeKey(subject), mode === null ? null : { mode });
  }
}
