/**
 * Sequence numbers travel as hex (`s` on the wire); people count in decimal, so everything the CLI
 * prints for a person gives them in decimal. A value that is not hex is shown as it came.
 */
export function snForPeople(hex: string): string {
  return /^[0-9a-f]{1,32}$/i.test(hex) ? BigInt(`0x${hex}`).toString() : hex;
}
