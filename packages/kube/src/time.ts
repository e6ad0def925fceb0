/**
 * Times as the API server writes them: metav1.Time is RFC 3339 to the second
 * (`2026-12-06T10:37:49Z`), metav1.MicroTime (Lease renewTime, Event eventTime) to the microsecond.
 */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-12-06T10:37:49.123000Z`: JavaScript dates carry milliseconds, so the last three digits are 0. */
export function rfc3339Micro(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
