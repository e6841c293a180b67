/**
 * The example values of the OAuth endpoints in the OpenAPI document: one story, as a client of the
 * platform acme lives it. The token is a real RFC 9068 access token, signed by the key of the JWKS
 * example (a key made for these examples, its private half thrown away), with the claims of
 * TOKEN_CLAIMS: what introspection would answer for it on a server it came from.
 */

import { DEFAULT_SCOPE } from '../credentials/scopes.js';

/** The example request of the token endpoint (RFC 6749 §4.4.2), the client authenticating by HTTP Basic. */
export const TOKEN_REQUEST = { grant_type: 'client_credentials', scope: DEFAULT_SCOPE } as const;

const TOKEN_CLAIMS = {
  iss: 'https://tessera.example.com',
  sub: 'cli_5Hn2Wq8Rt4Yz1Kx7Vb3Mc9',
  aud: 'https://tessera.example.com/raas/v2',
  client_id: 'cli_5Hn2Wq8Rt4Yz1Kx7Vb3Mc9',
  iat: 1795867200,
  exp: 1795953600,
  jti: '3f6c2a9e-8b41-4d7a-9c05-1e2f7b8d4a60',
  scope: DEFAULT_SCOPE,
  platform: 'acme',
} as const;

export const ACCESS_TOKEN =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6InVjYTlwcE9raXpvQ1JEcHF0QXRFN29nQUFWUGtHc3dFRkJSREZBalRaNG8iLCJ0eXAiOiJhdCtqd3QifQ.eyJpc3MiOiJodHRwczovL3Rlc3NlcmEuZXhhbXBsZS5jb20iLCJzdWIiOiJjbGlfNUhuMldxOFJ0NFl6MUt4N1ZiM01jOSIsImF1ZCI6Imh0dHBzOi8vdGVzc2VyYS5leGFtcGxlLmNvbS9yYWFzL3YyIiwiY2xpZW50X2lkIjoiY2xpXzVIbjJXcThSdDRZejFLeDdWYjNNYzkiLCJpYXQiOjE3OTU4NjcyMDAsImV4cCI6MTc5NTk1MzYwMCwianRpIjoiM2Y2YzJhOWUtOGI0MS00ZDdhLTljMDUtMWUyZjdiOGQ0YTYwIiwic2NvcGUiOiJyYWFzLmFsbCIsInBsYXRmb3JtIjoiYWNtZSJ9.JjDZD4akAsEG3xEKFxZvQUeKKCp5oeY78eIHpm3ILk-H5rAdalSEtCGAhRAjDfIWV_Rw8bLh--1zI0pE4QN3XjzmQaXQr0bj1m5d6xdPwzDWE6_oz3wt56247vLrkothuUCHYWziTLyd3mhzgtoBx0WEZ-4Bj4tug4IB3T6blG9-Qw_2eOCmZYT5NB0LIxklzfI7yrLkULdW-qp-cIuSdIZBhQfqkHS_--ujfi5rDbm_jyV6LPVMKsukeIU3MIr1h0WWt1nj2G-1m9xyyrgHf2Mr4zzZrucy9wSLLKad4KJMK7uoJTlTqmwCVwLFO2kvm3AHM6g-sBuPCAQY3OrAtw';

/** RFC 7517 §5: the key set that verifies ACCESS_TOKEN. */
export const JWKS = {
  keys: [
    {
      kty: 'RSA',
      n: 'kEc37rgmiMXTVjLIIdIIV2nb4rJ65ZKZLp2MdiHi_XQwzER6IyCsFo3mZSHWgKGCFlcG15v2YZBO1kKTxc2PwTxFVg59k7iI0ziggkFgyLWsYGCcmnPieiuopCPU0VifXJIM3u9KhHIPCUh0daKH27SAggHFsBio5kkz-mVgAcmKx_isdB6nt4vxBKAaVoTpsn7Om1Zi0bbX9qL41_gmq1rPVNG1PKL1DmvALapjpN9c9a2Np3ZUNtT8XZyt9pWjwvTxzsXFnHkPg1JS-4NuwNG4tHqZhQRygqyng6d0Ptg-RePiNAVQlwmVmFHN0z_yGCwlLJGJTLb2z2nk8mXDMw',
      e: 'AQAB',
      kid: 'uca9ppOkizoCRDpqtAtE7ogAAVPkGswEFBRDFAjTZ4o',
      alg: 'RS256',
      use: 'sig',
    },
  ],
} as const;

/** Introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) of the example token. */
export const TOKEN_ACTION_REQUEST = { token: ACCESS_TOKEN, token_type_hint: 'access_token' } as const;

/** RFC 7662 §2.2: the answer for a live token of the client. */
export const INTROSPECTION = { active: true, token_type: 'Bearer', ...TOKEN_CLAIMS } as const;
