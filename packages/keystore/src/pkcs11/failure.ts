/**
 * @module pkcs11/failure
 * Turns pkcs11js failures into `KeystoreError('hsm')`. pkcs11js throws `Pkcs11Error` (message: the
 * CKR_ name, `code`: its value) for Cryptoki return values, `NativeError` for failures of the
 * binding itself and `TypeError` for badly typed arguments. None of them carries the values of
 * the arguments, so a PIN cannot reach a message through them; our own messages never name it.
 */
import type { ErrorContext } from '@kestrel/cesr';
import { KeystoreError, type KeystoreErrorCode } from '../errors.js';

/** The Cryptoki return value (CKR_*) of a failed call, or undefined for other failures. */
export function returnValueOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'Pkcs11Error') return undefined;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** `message`, followed by the CKR_ name (or the binding's message) of `error`, kept as cause. */
export function hsmError(
  message: string,
  error: unknown,
  context: ErrorContext = {},
  code: KeystoreErrorCode = 'hsm',
): KeystoreError {
  // pkcs11js puts a native stack after the first line of some messages: keep the reason only.
  const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return new KeystoreError(code, `${message}: ${reason}`, { ...context, reason }, { cause: error });
}

/** Runs a PKCS#11 call, reporting its failure as `message`; keystore errors pass through. */
export function attempt<T>(
  message: string,
  action: () => T,
  context: ErrorContext = {},
  code: KeystoreErrorCode = 'hsm',
): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof KeystoreError) throw error;
    throw hsmError(message, error, context, code);
  }
}

/** `attempt` for the asynchronous calls (those that run on a worker thread). */
export async function attemptAsync<T>(
  message: string,
  action: () => Promise<T>,
  context: ErrorContext = {},
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof KeystoreError) throw error;
    throw hsmError(message, error, context);
  }
}
