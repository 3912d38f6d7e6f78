/**
 * @module stream/message
 * A message as framed from a stream: a serialized field-map body and its attachment groups.
 */
import type { Sad } from '../serialization/kinds.js';
import type { VersionInfo } from '../version.js';
import type { AttachmentGroup, Domain } from './groups.js';

export interface Body {
  /** The exact serialized body (its length is `version.size`). */
  readonly raw: Uint8Array;
  readonly version: VersionInfo;
  /** The parsed field map, in serialized field order. */
  readonly sad: Sad;
}

export interface Message {
  /** Byte offset of the body in the stream. */
  readonly offset: number;
  readonly body: Body;
  readonly attachments: readonly AttachmentGroup[];
  /** Domain of the attachments (text unless they were binary); undefined when there are none. */
  readonly domain: Domain | undefined;
  /** The exact bytes of body plus attachments. */
  readonly raw: Uint8Array;
}
