import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeForwardAuthThrough, THROTTLED_BY_TESSERA } from '../support/forward-auth-proxy-suite.js';
import { documentedBlock, onPorts, proxySkipReason, startProxy } from '../support/proxies.js';

const HAPROXY = '/usr/sbin/haproxy';

// Debian's HAProxy (2.6 on Debian 12, built with Lua) running the doc's Lua action and haproxy.cfg as they
// are written; only the Lua file's place (/etc/haproxy/tessera.lua in the doc) is the suite's folder.
describeForwardAuthThrough({
  name: 'HAProxy',
  skip: proxySkipReason('HAProxy', HAPROXY, 'haproxy'),
  refusals: 'tessera',
  // HAProxy's HTTP client answers the Lua action with its own 503 page when Tessera is down (after about
  // 3 s of retries), which the action passes on as one of Tessera's refusals: 503 all the same.
  whenThrottled: THROTTLED_BY_TESSERA,
  whenTesseraIsDown: { status: 503 },
  stripsOtherIdentityHeaders: true,
  async start(ports, dir) {
    const [lua, cfg] = onPorts([await documentedBlock('lua'), await documentedBlock('haproxy')], ports, {
      pattern: /^(\s*)bind :8000$/gm,
      replacement: (port) => `$1bind 127.0.0.1:${port}`,
    });
    const luaFile = path.join(dir, 'tessera.lua');
    if (!cfg!.includes('lua-load /etc/haproxy/tessera.lua')) throw new Error(`the documented haproxy.cfg does not load /etc/haproxy/tessera.lua:\n${cfg}`);
    const cfgFile = path.join(dir, 'haproxy.cfg');
    await writeFile(luaFile, lua!);
    await writeFile(cfgFile, cfg!.replace('lua-load /etc/haproxy/tessera.lua', `lua-load ${luaFile}`));
    // -db: in the foreground, as a child the suite stops.
    return startProxy(HAPROXY, ['-db', '-f', cfgFile], ports.proxy);
  },
});
