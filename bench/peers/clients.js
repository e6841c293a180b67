// The credentials of the peer's i-th client, 0 ≤ i < BENCH_CLIENTS (./oidc-provider.js registers them).
export function peerClient(i) {
  return { client_id: `bench-client-${i}`, client_secret: `bench-secret-${i}-of-at-least-32-characters` };
}
