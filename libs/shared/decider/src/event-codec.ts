/**
 * The seam between stored events and domain events: one codec per context, keyed by event type and schema
 * version. Stored events keep the shape they were written with forever; when a context changes an event's
 * shape it raises that type's version and adds an upcaster from the old version, here — the one place an
 * old shape is read. Everything that folds a stream (deciders, projections, `as_of`, the history) decodes
 * through the codec, so no reader casts stored data itself.
 */

/** A stored event as far as decoding goes (what every event store returns). */
export interface StoredEventShape {
  type: string;
  /** Absent on events written before versions were recorded: version 1. */
  schemaVersion?: number;
  data: unknown;
}

/** Turns the data of version `n` into the shape of version `n + 1`. */
export type Upcaster = (data: unknown) => unknown;

export interface EventTypeSchema {
  /** The version written today. */
  version: number;
  /** `upcast[n]` reads version `n` as version `n + 1`; one for every version below `version`. */
  upcast?: Readonly<Record<number, Upcaster>>;
}

export interface EventCodec<Event extends { type: string; data: unknown }> {
  /** The version each type is written with today. */
  versionOf(type: Event['type']): number;
  /** The domain event, upcast to today's shape; undefined when the type is not one of this context's. */
  decode(stored: StoredEventShape): Event | undefined;
  /** Like `decode`, for streams that hold only this context's events: an unknown type is a defect. */
  decodeKnown(stored: StoredEventShape): Event;
  /** What to append for a domain event: its type, today's version and its data. */
  encode(event: Event): { type: Event['type']; schemaVersion: number; data: Event['data'] };
}

export class UnknownEventVersionError extends Error {
  override readonly name = 'UnknownEventVersionError';
}

export function defineEventCodec<Event extends { type: string; data: unknown }>(
  schemas: { readonly [T in Event['type']]: EventTypeSchema },
): EventCodec<Event> {
  const schemaOf = (type: string): EventTypeSchema | undefined =>
    Object.prototype.hasOwnProperty.call(schemas, type) ? (schemas as Record<string, EventTypeSchema>)[type] : undefined;

  const decode = (stored: StoredEventShape): Event | undefined => {
    const schema = schemaOf(stored.type);
    if (!schema) return undefined;
    let version = stored.schemaVersion ?? 1;
    if (version > schema.version) {
      throw new UnknownEventVersionError(`${stored.type} v${version} was written by a newer Leakwatch (this one reads up to v${schema.version})`);
    }
    let data = stored.data;
    for (; version < schema.version; version++) {
      const upcast = schema.upcast?.[version];
      if (!upcast) throw new UnknownEventVersionError(`${stored.type}: no upcaster from v${version} to v${version + 1}`);
      data = upcast(data);
    }
    // The one place stored data becomes a domain event: its shape is the current version's by construction.
    return { type: stored.type, data } as Event;
  };

  return {
    versionOf: (type) => (schemaOf(type) as EventTypeSchema).version,
    decode,
    decodeKnown(stored) {
      const event = decode(stored);
      if (!event) throw new UnknownEventVersionError(`unknown event type ${stored.type}`);
      return event;
    },
    encode: (event) => ({ type: event.type, schemaVersion: (schemaOf(event.type) as EventTypeSchema).version, data: event.data }),
  };
}
