/**
 * @module totp
 * Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits) as a second
 * factor before establishment events, compatible with common authenticator apps.
 */
import { createHmac, randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Uint8Array {
  const clean = text.toUpperCase().replace(/=+$/, '').replace(/\s/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const character of clean) {
    const index = BASE32.indexOf(character);
    if (index < 0) throw new TypeError('Not a Base32 TOTP secret');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** A new random TOTP secret (160 bits, Base32). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The TOTP code for `time` (milliseconds) — RFC 6238 with RFC 4226 dynamic truncation. */
export function totpCode(secret: string, time: number, step = 30, digits = 6): string {
  const counter = Math.floor(time / 1000 / step);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const hmac = createHmac('sha1', Buffer.from(base32Decode(secret)))
    .update(message)
    .digest();
  const offset = hmac[hmac.length - 1]! & 0x0f;
  const binary =
    ((hmac[offset]! & 0x7f) << 24) |
    (hmac[offset + 1]! << 16) |
    (hmac[offset + 2]! << 8) |
    hmac[offset + 3]!;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** Whether `code` is valid at `time`, allowing one step of clock drift either way. */
export function verifyTotp(secret: string, code: string, time: number, step = 30): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  for (const drift of [0, -1, 1]) {
    if (totpCode(secret, time + drift * step * 1000, step) === code) return true;
  }
  return false;
}

/** An otpauth:// URI for authenticator apps. */
export function totpUri(secret: string, account: string, issuer = 'Kestrel'): string {
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}
