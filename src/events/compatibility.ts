// Schema evolution check (docs/ARCHITECTURE.md section 5: "schema changes stay backward compatible").
//
// Both directions are checked, because both kinds of reader exist at the same time during and after
// a release: our own consumers run the current schema against events written by the previous release
// (backward), and downstream teams keep the released .avsc files and read events written with the
// current schema (forward). A field removed without a default breaks the second kind only, which is
// why a backward-only check is not enough.
//
// avsc's createResolver is the judge (it throws when a reader cannot read a writer); the walk over
// record fields only turns its first error into one readable problem per field.
import type avro from 'avsc';
import type { EventType, SchemaVersion } from './schemas.js';

export interface SchemaSide {
  type: avro.Type;
  /** How problems name this side, e.g. 'the current schema', 'release 1'. */
  label: string;
}

/**
 * Problems between a next schema and the previous (released) one of the same event; empty when a
 * reader of either can read data written with the other.
 */
export function compatibilityProblems(eventType: string, next: SchemaSide, previous: SchemaSide): string[] {
  return [...readProblems(eventType, next, previous, 'added'), ...readProblems(eventType, previous, next, 'removed')];
}

/**
 * Checks every current schema against its newest released version (the highest folder under
 * schemas/released/ that holds it). Event types that were never released have nothing to keep
 * compatible with.
 */
export function checkAgainstNewestRelease(current: Map<EventType, SchemaVersion>, released: SchemaVersion[]): string[] {
  const problems: string[] = [];
  for (const previous of newestReleased(released).values()) {
    const next = current.get(previous.eventType);
    if (!next) {
      problems.push(`${previous.eventType}: released in version ${previous.version} but has no current schema`);
      continue;
    }
    problems.push(
      ...compatibilityProblems(
        previous.eventType,
        { type: next.type, label: 'the current schema' },
        { type: previous.type, label: `release ${previous.version}` },
      ),
    );
  }
  return problems;
}

/** The newest released version of each event type ('10' is newer than '9'). */
export function newestReleased(released: SchemaVersion[]): Map<EventType, SchemaVersion> {
  const newest = new Map<EventType, SchemaVersion>();
  for (const s of released) {
    const seen = newest.get(s.eventType);
    if (!seen || s.version.localeCompare(seen.version, undefined, { numeric: true }) > 0) newest.set(s.eventType, s);
  }
  return newest;
}

/**
 * What stops `reader` from reading data written with `writer`. `missing` names the change that a
 * field the reader needs but the writer lacks amounts to, seen from the next schema: a field the next
 * schema 'added', or one it 'removed'.
 */
function readProblems(
  eventType: string,
  reader: SchemaSide,
  writer: SchemaSide,
  missing: 'added' | 'removed',
): string[] {
  const consequence = `${reader.label} cannot read events written with ${writer.label}`;
  const problems: string[] = [];
  walk(reader.type, writer.type, '', (path, problem) => {
    problems.push(
      problem === undefined
        ? `${eventType}: field '${path}' ${missing} without a default (${consequence})`
        : `${eventType}: field '${path}' ${problem} (${consequence})`,
    );
  });
  // The walk looks at fields only; anything else (a renamed record, a narrowed top-level type) is
  // still caught here.
  if (problems.length === 0) {
    const error = resolveError(reader.type, writer.type);
    if (error) problems.push(`${eventType}: ${consequence}: ${error}`);
  }
  return problems;
}

/** Reports a field the reader needs and the writer lacks (no problem text), or what else keeps them apart. */
function walk(
  reader: avro.Type,
  writer: avro.Type,
  path: string,
  report: (path: string, problem?: string) => void,
): void {
  if (reader.typeName === 'record' && writer.typeName === 'record') {
    const writerFields = (writer as avro.types.RecordType).fields;
    for (const field of (reader as avro.types.RecordType).fields) {
      const fieldPath = path ? `${path}.${field.name}` : field.name;
      // Avro resolution matches a writer field by the reader field's name or one of its aliases.
      const source = writerFields.find((w) => w.name === field.name || (field.aliases ?? []).includes(w.name));
      if (!source) {
        if (field.defaultValue() === undefined) report(fieldPath);
        continue;
      }
      walk(field.type, source.type, fieldPath, report);
    }
    return;
  }
  if (reader.typeName === 'array' && writer.typeName === 'array') {
    walk((reader as avro.types.ArrayType).itemsType, (writer as avro.types.ArrayType).itemsType, `${path}[]`, report);
    return;
  }
  if (reader.typeName === 'map' && writer.typeName === 'map') {
    walk(
      (reader as avro.types.MapType).valuesType as avro.Type,
      (writer as avro.types.MapType).valuesType as avro.Type,
      `${path}{}`,
      report,
    );
    return;
  }
  const error = resolveError(reader, writer);
  if (error) report(path || '(root)', `cannot be read: written as ${brief(writer)}, read as ${brief(reader)}`);
}

const brief = (type: avro.Type) => {
  const json = JSON.stringify(type.schema());
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
};

function resolveError(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
