/**
 * @module pkcs11/library
 * A PKCS#11 module (shared library), loaded and initialised once per process. Cryptoki state is
 * global to the module: a second `C_Initialize` fails with CKR_CRYPTOKI_ALREADY_INITIALIZED, and
 * one `C_Finalize` ends every session in the process. Tokens opened on the same module therefore
 * share one counted `Pkcs11Library`, and the last one released finalises it.
 *
 * pkcs11js is required lazily: it is a native addon, and programs that never open a token should
 * not fail to import the keystore when the addon was not built.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Pkcs11js from 'pkcs11js';
import { KeystoreError } from '../errors.js';
import { attempt, hsmError, returnValueOf } from './failure.js';

/** The pkcs11js module: the `PKCS11` binding and the CK* constants. */
export type Pkcs11Api = typeof Pkcs11js;

let api: Pkcs11Api | undefined;

function loadApi(): Pkcs11Api {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('pkcs11js') as Pkcs11Api;
    } catch (error) {
      throw new KeystoreError(
        'hsm',
        'The pkcs11js native addon cannot be loaded (was its install script allowed to build it?)',
        {},
        { cause: error },
      );
    }
  }
  return api;
}

/** Resolves symlinks so that two spellings of one module share one initialisation. */
function canonicalPath(modulePath: string): string {
  try {
    return realpathSync(modulePath);
  } catch (error) {
    throw hsmError(
      `No PKCS#11 module at ${modulePath}`,
      error,
      { module: modulePath },
      'hsm_module_not_found',
    );
  }
}

interface Loaded {
  readonly library: Pkcs11Library;
  users: number;
}

const loaded = new Map<string, Loaded>();

export class Pkcs11Library {
  /** Canonical path of the module. */
  readonly path: string;
  readonly api: Pkcs11Api;
  readonly module: Pkcs11js.PKCS11;
  /** False when other code in the process initialised the module: finalising is then theirs. */
  readonly #finalizes: boolean;

  private constructor(
    path: string,
    pkcs11: Pkcs11Api,
    module: Pkcs11js.PKCS11,
    finalizes: boolean,
  ) {
    this.path = path;
    this.api = pkcs11;
    this.module = module;
    this.#finalizes = finalizes;
  }

  /** The module at `modulePath`, loaded and initialised on first use. Pair with `release()`. */
  static acquire(modulePath: string): Pkcs11Library {
    const path = canonicalPath(modulePath);
    const existing = loaded.get(path);
    if (existing) {
      existing.users += 1;
      return existing.library;
    }
    const pkcs11 = loadApi();
    const module = new pkcs11.PKCS11();
    attempt(
      `Cannot load the PKCS#11 module ${modulePath}`,
      () => module.load(path),
      { module: modulePath },
      'hsm_module_not_found',
    );
    let finalizes = true;
    try {
      module.C_Initialize();
    } catch (error) {
      if (returnValueOf(error) !== pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        module.close();
        throw hsmError(`Cannot initialise the PKCS#11 module ${modulePath}`, error, {
          module: modulePath,
        });
      }
      finalizes = false;
    }
    const library = new Pkcs11Library(path, pkcs11, module, finalizes);
    loaded.set(path, { library, users: 1 });
    return library;
  }

  /** Gives back one `acquire()`; the last one finalises and unloads the module. */
  release(): void {
    const entry = loaded.get(this.path);
    if (entry?.library !== this) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    loaded.delete(this.path);
    try {
      if (this.#finalizes) {
        attempt(`Cannot finalise the PKCS#11 module ${this.path}`, () => this.module.C_Finalize());
      }
    } finally {
      this.module.close();
    }
  }
}
