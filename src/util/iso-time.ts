/**
 * ISO 8601 text (UTC, milliseconds) of a Unix epoch time, computed from the number alone: pure
 * layers may not touch `Date`, and formatting a given time needs no clock. Same text as
 * `Date.prototype.toISOString` for the years 0000 to 9999; fractions of a millisecond are cut,
 * as Date cuts them.
 */
const MS_PER_DAY = 86_400_000;
/** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
const EPOCH_FROM_YEAR_0_MARCH = 719_468;
/** 400 Gregorian years repeat exactly: 146097 days. */
const DAYS_PER_400_YEARS = 146_097;

export function isoTime(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`not a time: ${epochMs}`);
  const ms = Math.trunc(epochMs);
  const days = Math.floor(ms / MS_PER_DAY);
  const inDay = ms - days * MS_PER_DAY;
  // Count years from March so that February, with its leap day, is the last month of a year.
  const fromMarch0 = days + EPOCH_FROM_YEAR_0_MARCH;
  const era = Math.floor(fromMarch0 / DAYS_PER_400_YEARS);
  const dayOfEra = fromMarch0 - era * DAYS_PER_400_YEARS;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / (DAYS_PER_400_YEARS - 1))) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  // Months from March have 31,30,31,30,31 days in two runs of five: 153 days per run.
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);
  const hours = Math.floor(inDay / 3_600_000);
  const minutes = Math.floor((inDay % 3_600_000) / 60_000);
  const seconds = Math.floor((inDay % 60_000) / 1000);
  const millis = inDay % 1000;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(millis, 3)}Z`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
