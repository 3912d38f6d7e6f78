/**
 * @module processor/stored-events
 * Reading accepted events back from the store (their bodies were validated when accepted, so only
 * the framing is redone), with a small cache for the events consulted repeatedly.
 */
import { type Body, deserialize, smell } from '@kestrel/cesr';
import type { EventRecord } from '../store/records.js';
import { type KeyEvent, readKeyEvent } from '../validation/key-event.js';
import type { ProcessorContext } from './context.js';

const cache = new Map<string, KeyEvent>();

export function bodyOf(raw: Uint8Array): Body {
  const version = smell(raw);
  return { raw, version, sad: deserialize(raw, version.kind) };
}

export function readStoredEvent(context: ProcessorContext, record: EventRecord): KeyEvent {
  const key = `${record.prefix}.${record.said}`;
  let event = cache.get(key);
  if (!event) {
    event = readKeyEvent(bodyOf(record.raw), context.digest);
    if (cache.size > 1000) cache.clear();
    cache.set(key, event);
  }
  return event;
}
