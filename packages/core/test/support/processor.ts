/**
 * @module test/support/processor
 * A processor over a fresh memory store, and feeding it CESR streams: what the processor tests
 * share.
 */
import { parseStream } from '@kestrel/cesr';
import {
  EventProcessor,
  type EventProcessorConfig,
  MemoryStore,
  type Outcome,
} from '@kestrel/core';
import { createNodeCrypto } from '@kestrel/crypto-node';

export const crypto = await createNodeCrypto();

export const digest = (code: Parameters<typeof crypto.digest>[0], data: Uint8Array) =>
  crypto.digest(code, data);

export function newProcessor(config: Partial<EventProcessorConfig> = {}): EventProcessor {
  return new EventProcessor({ store: new MemoryStore(), crypto, ...config });
}

/** Feeds each stream's messages to the processor in turn, as received; returns every outcome. */
export function feed(processor: EventProcessor, ...streams: Uint8Array[]): Outcome[] {
  return feedAs(processor, false, streams);
}

/** The same, as this node's own messages (`local`). */
export function feedLocal(processor: EventProcessor, ...streams: Uint8Array[]): Outcome[] {
  return feedAs(processor, true, streams);
}

function feedAs(processor: EventProcessor, local: boolean, streams: Uint8Array[]): Outcome[] {
  return streams.flatMap((bytes) =>
    parseStream(bytes).messages.flatMap((message) => processor.process(message, { local })),
  );
}

/** Whether the outcomes say the event `said` was accepted. */
export const accepted = (outcomes: readonly Outcome[], said: string) =>
  outcomes.some((outcome) => outcome.kind === 'accepted' && outcome.said === said);
