/**
 * The one parser for every time Leakwatch accepts (`as_of`, `expires_at`, cursors): strict ISO 8601 /
 * RFC 3339 calendar dates with an optional time, years 0001-9999. `IsISO8601` let week dates (`2026-W01-1`),
 * ordinal dates and out-of-range values through to `new Date()` and PostgreSQL, which then failed with a 500.
 *
 * Accepted: `2026-11-25` (midnight UTC), `2026-11-25T10:00Z`, `2026-11-25T10:00:00.123+01:00`. A time needs a
 * zone (`Z` or `±hh:mm`): a server-local time would mean different moments on different servers.
 */
import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-](\d{2}):?(\d{2})))?$/;

/** The moment a strict ISO 8601 date(-time) names, or undefined when it is not one (or names no real moment). */
export function parseIsoDateTime(text: unknown): Date | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const sign = m[8]?.startsWith('-') ? -1 : 1;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  date.setTime(date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * class-validator: the value is a string `parseIsoDateTime` accepts. A valid value reaches the handler as its
 * canonical `toISOString()` form, so `new Date(value)` there means the same moment as here.
 */
export function IsIsoDateTime(options?: ValidationOptions): PropertyDecorator {
  const canonical = Transform(({ value }) => parseIsoDateTime(value)?.toISOString() ?? value);
  const validate = ValidateBy(
    {
      name: 'isIsoDateTime',
      validator: {
        validate: (value) => parseIsoDateTime(value) !== undefined,
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an ISO 8601 date-time such as 2026-11-25T10:00:00Z (or a date, 2026-11-25)`,
          options,
        ),
      },
    },
    options,
  );
  return (target, property) => {
    canonical(target, property);
    validate(target, property);
  };
}
