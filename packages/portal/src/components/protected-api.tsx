import type { ProtectedApiView } from '../api/types';

/** Who may call a protected API, by platform: "Every platform", "acme, beta". */
export function describePlatforms(api: ProtectedApiView): string {
  if (api.platforms === null) return 'Every platform';
  return api.platforms.length === 0 ? 'No platform' : api.platforms.join(', ');
}

const KIND_NAMES = { oauth_client: 'OAuth clients (Bearer)', api_key: 'API keys (Basic)' } as const;

/** Who may call a protected API, by credential kind: "OAuth clients and API keys", "API keys (Basic)". */
export function describeCredentialKinds(api: ProtectedApiView): string {
  if (api.credentialKinds === null) return 'OAuth clients and API keys';
  return api.credentialKinds.length === 0 ? 'None' : api.credentialKinds.map((kind) => KIND_NAMES[kind]).join(', ');
}

/**
 * Where a protected API answers and who may call it (issue 23), read-only: the operator sets it with
 * `tessera api add`. A list of terms, so that it reads the same in a table's cell and in a narrow row.
 */
export function ProtectedApiFacts({ api }: { api: ProtectedApiView }) {
  return (
    <dl className="api-facts">
      <dt>Host</dt>
      <dd>{api.host === null ? 'Any host' : <code>{api.host}</code>}</dd>
      <dt>Path prefix</dt>
      <dd>
        <code>{api.pathPrefix}</code>
      </dd>
      <dt>Platforms</dt>
      <dd>{describePlatforms(api)}</dd>
      <dt>Credentials</dt>
      <dd>{describeCredentialKinds(api)}</dd>
    </dl>
  );
}
