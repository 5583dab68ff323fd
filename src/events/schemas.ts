// The published event contract: one .avsc file per event under schemas/ (the current version)
// and every released version under schemas/released/<version>/, so that events written by an
// older release still decode after an upgrade.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { projectRoot } from '../platform/projectRoot.js';
import { fingerprintBytes } from './crc64avro.js';

export const EVENT_TYPES = [
  'AdScraped',
  'HuntChanged',
  'DailyTick',
  'LobstrRunCompleted',
  'LeadCreated',
  'SendMessage',
  'MessageSent',
  'MessageFailed',
  'MessageDelivered',
  'SellerReplied',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface SchemaVersion {
  eventType: EventType;
  /** 'current' or the released version's folder name. */
  version: string;
  type: avro.Type;
  canonical: string;
  fingerprint: Buffer;
  /** The .avsc file as published (what the Confluent wire format registers). */
  text: string;
}

export const schemasDir = () => join(projectRoot(), 'schemas');

export function parseSchema(json: unknown): { type: avro.Type; canonical: string; fingerprint: Buffer } {
  // wrapUnions: false keeps ["null", T] unions as plain nullable values.
  const type = avro.Type.forSchema(json as avro.Schema, { wrapUnions: false });
  // avsc's schema() without attributes is the Parsing Canonical Form of the specification.
  const canonical = JSON.stringify(type.schema());
  return { type, canonical, fingerprint: fingerprintBytes(canonical) };
}

function loadDir(dir: string, version: string): SchemaVersion[] {
  return EVENT_TYPES.filter((name) => existsSync(join(dir, `${name}.avsc`))).map((eventType) => {
    const text = readFileSync(join(dir, `${eventType}.avsc`), 'utf8');
    return { eventType, version, ...parseSchema(JSON.parse(text)), text };
  });
}

export function loadCurrentSchemas(dir = schemasDir()): Map<EventType, SchemaVersion> {
  const list = loadDir(dir, 'current');
  const missing = EVENT_TYPES.filter((t) => !list.some((s) => s.eventType === t));
  if (missing.length > 0) throw new Error(`missing schema files in ${dir}: ${missing.join(', ')}`);
  return new Map(list.map((s) => [s.eventType, s]));
}

export function loadReleasedSchemas(dir = schemasDir()): SchemaVersion[] {
  const released = join(dir, 'released');
  if (!existsSync(released)) return [];
  return readdirSync(released, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((version) => loadDir(join(released, version), version));
}
