/**
 * Loaders for the keripy 1.3.6 conformance corpus in test/vectors/keripy-1.3.6.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'vectors',
  'keripy-1.3.6',
);

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export const primitives = () => readJson(join(CORPUS, 'primitives.json'));
export const keystore = () => readJson(join(CORPUS, 'keystore.json'));

export interface CaseEvent {
  prefix: string;
  sn: number;
  ilk: string;
  said: string;
  raw: string;
  ked: Record<string, unknown>;
  attachments: string;
  note?: string;
}

export interface CorpusCase {
  name: string;
  rule: string;
  salt: string;
  signers: Array<{ path: string; seed: string; pub: string; next_digest: string }>;
  events: CaseEvent[];
  notes?: string;
}

export interface ExpectedResult {
  verdict: 'accepted' | 'partial' | 'rejected';
  accepted: Record<
    string,
    { state: Record<string, unknown>; kel: Array<{ sn: number; ilk: string; said: string }> }
  >;
  not_accepted: Array<{ said: string; sn: number; ilk: string; why: string }>;
  escrows: Record<string, number>;
  errors: string[];
}

export interface LoadedCase {
  name: string;
  case: CorpusCase;
  expected: ExpectedResult;
  stream: Uint8Array;
}

export function caseNames(): string[] {
  return readdirSync(join(CORPUS, 'cases')).sort();
}

export function loadCase(name: string): LoadedCase {
  const dir = join(CORPUS, 'cases', name);
  return {
    name,
    case: readJson(join(dir, 'case.json')),
    expected: readJson(join(dir, 'expected.json')),
    stream: new Uint8Array(readFileSync(join(dir, 'stream.cesr'))),
  };
}

export const allCases = (): LoadedCase[] => caseNames().map(loadCase);
