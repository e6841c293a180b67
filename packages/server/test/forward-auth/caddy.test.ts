import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeForwardAuthThrough, THROTTLED_BY_TESSERA } from '../support/forward-auth-proxy-suite.js';
import { documentedBlock, onPorts, proxySkipReason, startProxy } from '../support/proxies.js';

const CADDY = '/usr/bin/caddy';

// Debian's Caddy (2.6 on Debian 12) running the doc's site block as it is written. The wrapper adds
// only global options: no admin endpoint, no automatic HTTPS, its state in the suite's folder.
describeForwardAuthThrough({
  name: 'Caddy',
  skip: proxySkipReason('Caddy', CADDY, 'caddy'),
  refusals: 'tessera',
  whenThrottled: THROTTLED_BY_TESSERA,
  whenTesseraIsDown: { status: 502, body: '' },
  stripsOtherIdentityHeaders: true,
  async start(ports, dir) {
    const [site] = onPorts([await documentedBlock('caddyfile')], ports, { pattern: /^:8000 \{/gm, replacement: (port) => `:${port} {` });
    const caddyfile = path.join(dir, 'Caddyfile');
    await writeFile(caddyfile, ['{', '\tadmin off', '\tauto_https off', `\tstorage file_system ${dir}/storage`, '}', '', site].join('\n'));
    return startProxy(CADDY, ['run', '--config', caddyfile, '--adapter', 'caddyfile'], ports.proxy, {
      HOME: dir,
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
    });
  },
});
