/**
 * @module cesr-body
 * The CESR carried by an HTTP request or response. keripy posts one message per request: the body
 * is the message's field map (`Content-Type: application/cesr+json`) and its attachments travel in
 * the `CESR-ATTACHMENT` header. Kestrel also takes whole streams (`application/cesr`, or
 * `application/octet-stream`), which is how it sends KELs and bundles.
 */
import { concatBytes, textToBytes } from '@kestrel/cesr';
import { HttpError } from './errors.js';

export const CESR_MEDIA_TYPE = 'application/cesr';
export const CESR_JSON_MEDIA_TYPE = 'application/cesr+json';
export const ATTACHMENT_HEADER = 'cesr-attachment';

const STREAM_TYPES = new Set([CESR_MEDIA_TYPE, 'application/octet-stream']);
const MESSAGE_TYPES = new Set([CESR_JSON_MEDIA_TYPE, 'application/json']);

/** The CESR stream of a request, from its content type, body and attachment header. */
export function cesrFromRequest(
  contentType: string | undefined,
  attachmentHeader: string | undefined,
  body: Uint8Array,
): Uint8Array {
  const mediaType = (contentType ?? CESR_MEDIA_TYPE).split(';')[0]!.trim().toLowerCase();
  if (STREAM_TYPES.has(mediaType)) return body;
  if (MESSAGE_TYPES.has(mediaType)) {
    if (attachmentHeader === undefined || attachmentHeader === '') return body;
    return concatBytes(body, textToBytes(attachmentHeader.trim()));
  }
  throw new HttpError(
    'unsupported_media_type',
    `Send CESR as ${CESR_MEDIA_TYPE} (a stream) or ${CESR_JSON_MEDIA_TYPE} with a CESR-ATTACHMENT header, not ${mediaType}`,
    415,
  );
}
