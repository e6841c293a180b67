export { createVerifier, DEFAULT_MAX_ENTRIES, DEFAULT_STATUS_TTL_MS, DEFAULT_TIMEOUT_MS, type Verifier, type VerifierOptions, type VerifyRequest } from './verifier.js';
export { VerificationError } from './errors.js';
export type { CredentialKind, TesseraPrincipal } from './principal.js';
export { tesseraFastify, type TesseraFastifyOptions } from './fastify.js';
export { tesseraExpress } from './express.js';
