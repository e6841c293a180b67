import { TesseraError } from '../errors/tessera-error.js';

/**
 * Tango's criteria take the header image as Base64 and its view gives a URL: the sandbox keeps the image
 * as a data: URL (RFC 2397), which needs no file server and shows in any mail client or browser.
 * The request schema (raas/email-template-views.ts) admits only these three kinds, by their first bytes.
 */
const SIGNATURES: ReadonlyArray<readonly [prefix: string, mediaType: string]> = [
  // The Base64 of each format's magic number: \x89PNG\r\n\x1a\n, \xFF\xD8\xFF, GIF8.
  ['iVBORw0KGgo', 'image/png'],
  ['/9j/', 'image/jpeg'],
  ['R0lGOD', 'image/gif'],
];

/** The header image's Base64 as the URL the view shows; '' (no image) stays ''. */
export function headerImageUrl(base64: string): string {
  if (base64 === '') return '';
  const mediaType = SIGNATURES.find(([prefix]) => base64.startsWith(prefix))?.[1];
  if (!mediaType) throw new TesseraError('invalid_input', 'The headerImage must be a Base64-encoded PNG, JPEG or GIF image');
  return `data:${mediaType};base64,${base64}`;
}
