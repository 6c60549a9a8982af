/** The UTC time at the end of a default workflow id (`optimize-<name>-20261207T031457Z`): sortable, no `:` or `-`. */
export function idStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
