import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/util/iso-time.js';

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const FIRST = -62_167_219_200_000;
const LAST = 253_402_300_799_999;

describe('isoTime', () => {
  it('prints what Date#toISOString prints, for any millisecond of the years 0000 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST, max: LAST }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 5000 },
    );
  });

  it('gets the days around leap days and century years right', () => {
    for (const text of [
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '2000-02-29T12:00:00.000Z',
      '1900-02-28T23:59:59.999Z',
      '1900-03-01T00:00:00.000Z',
      '2024-12-31T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
    ]) {
      expect(isoTime(Date.parse(text))).toBe(text);
    }
  });

  it('cuts fractions of a millisecond as Date does', () => {
    expect(isoTime(1_700_000_000_123.9)).toBe(new Date(1_700_000_000_123.9).toISOString());
  });

  it('refuses a time that is not a number, as Date does', () => {
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
