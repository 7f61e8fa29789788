// Protobuf compatibility by field number and wire type, following the rules Confluent's
// registry applies (its ProtobufSchema difference kinds): a message the writer used must
// still exist, a field kept under a number must keep a wire-compatible type, and proto2
// required fields may be neither added nor removed. Adding or removing an optional field
// is compatible both ways: old readers skip unknown numbers, new readers see defaults.
import protobuf from 'protobufjs';
import type { ParsedProtobuf } from '../parse.js';

/** Scalar types whose encodings read as one another (protobuf language guide, "Updating A Message Type"). */
const WIRE_GROUPS: string[][] = [
  ['int32', 'uint32', 'int64', 'uint64', 'bool'],
  ['sint32', 'sint64'],
  ['fixed32', 'sfixed32'],
  ['fixed64', 'sfixed64'],
  ['string', 'bytes'],
  ['float'],
  ['double'],
];
const SCALARS = new Set(WIRE_GROUPS.flat());

function scalarGroup(t: string): number {
  return WIRE_GROUPS.findIndex((g) => g.includes(t));
}

type Kind = 'scalar' | 'message' | 'enum' | 'map';

function kindOf(f: protobuf.Field): Kind {
  if (f instanceof protobuf.MapField) return 'map';
  if (SCALARS.has(f.type)) return 'scalar';
  return f.resolvedType instanceof protobuf.Enum ? 'enum' : 'message';
}

function typeName(f: protobuf.Field): string {
  return f.resolvedType ? f.resolvedType.fullName.replace(/^\./, '') : f.type;
}

function allMessages(ns: protobuf.NamespaceBase, out = new Map<string, protobuf.Type>()): Map<string, protobuf.Type> {
  for (const n of ns.nestedArray) {
    if (n instanceof protobuf.Type) out.set(n.fullName, n);
    if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) allMessages(n, out);
  }
  return out;
}

function ownMessages(s: ParsedProtobuf): Map<string, protobuf.Type> {
  const out = new Map<string, protobuf.Type>();
  for (const m of s.messages) {
    out.set(m.fullName, m);
    allMessages(m, out);
  }
  return out;
}

/** Empty when `reader` can read what `writer` wrote; otherwise why not. */
export function protobufCanRead(reader: ParsedProtobuf, writer: ParsedProtobuf): string[] {
  const out: string[] = [];
  if (reader.packageName !== writer.packageName)
    out.push(`PACKAGE_CHANGED: '${writer.packageName}' became '${reader.packageName}'`);
  const readerMessages = allMessages(reader.root);
  for (const [name, w] of ownMessages(writer)) {
    const r = readerMessages.get(name);
    if (!r) {
      out.push(`MESSAGE_REMOVED: ${name.replace(/^\./, '')}`);
      continue;
    }
    const rOneof = (f: protobuf.Field) => f.partOf?.name ?? null;
    let movedIntoOneof = 0;
    for (const wf of w.fieldsArray) {
      const rf = r.fieldsById[wf.id];
      const where = `${name.replace(/^\./, '')}.${wf.name} (${wf.id})`;
      if (!rf) {
        if (wf.required) out.push(`REQUIRED_FIELD_REMOVED: ${where}`);
        if (wf.partOf) out.push(`ONEOF_FIELD_REMOVED: ${where}`);
        continue;
      }
      const wk = kindOf(wf);
      const rk = kindOf(rf);
      if (wk !== rk) {
        out.push(`FIELD_KIND_CHANGED: ${where} was ${wk}, is ${rk}`);
      } else if (wk === 'scalar' && scalarGroup(wf.type) !== scalarGroup(rf.type)) {
        out.push(`FIELD_SCALAR_KIND_CHANGED: ${where} was ${wf.type}, is ${rf.type}`);
      } else if ((wk === 'message' || wk === 'enum') && typeName(wf) !== typeName(rf)) {
        out.push(`FIELD_NAMED_TYPE_CHANGED: ${where} was ${typeName(wf)}, is ${typeName(rf)}`);
      } else if (wk === 'map') {
        const wm = wf as unknown as protobuf.MapField;
        const rm = rf as unknown as protobuf.MapField;
        if (wm.keyType !== rm.keyType || wm.type !== rm.type)
          out.push(`FIELD_KIND_CHANGED: ${where} map types changed`);
      }
      if (wf.repeated !== rf.repeated && (wk === 'message' || rk === 'message')) {
        out.push(`FIELD_KIND_CHANGED: ${where} changed between repeated and singular`);
      }
      if (!wf.partOf && rOneof(rf) !== null) movedIntoOneof++;
    }
    if (movedIntoOneof > 1) out.push(`MULTIPLE_FIELDS_MOVED_TO_ONEOF: ${name.replace(/^\./, '')}`);
    for (const rf of r.fieldsArray) {
      if (rf.required && !w.fieldsById[rf.id])
        out.push(`REQUIRED_FIELD_ADDED: ${name.replace(/^\./, '')}.${rf.name} (${rf.id})`);
    }
  }
  return out;
}
