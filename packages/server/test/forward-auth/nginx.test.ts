import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeForwardAuthThrough } from '../support/forward-auth-proxy-suite.js';
import { documentedBlock, onPorts, proxySkipReason, startProxy } from '../support/proxies.js';

const NGINX = '/usr/sbin/nginx';

// Debian's nginx (1.22 on Debian 12) running the doc's `server` block as it is written. The wrapper adds
// only what the doc leaves to the host's nginx.conf: the main context, pid and logs, and temp paths in
// the suite's folder (the defaults are under /var/lib/nginx).
describeForwardAuthThrough({
  name: 'nginx',
  skip: proxySkipReason('nginx', NGINX, 'nginx'),
  refusals: 'challenges',
  whenThrottled: '{"error":"too_many_failures","error_description":"Too many failed attempts: retry later"}\n',
  whenTesseraIsDown: { status: 503, body: '{"error":"temporarily_unavailable","error_description":"Authentication is unavailable: retry later"}\n' },
  stripsOtherIdentityHeaders: false,
  async start(ports, dir) {
    const [server] = onPorts([await documentedBlock('nginx')], ports, { pattern: /\blisten 8000;/g, replacement: (port) => `listen 127.0.0.1:${port};` });
    const conf = path.join(dir, 'nginx.conf');
    await writeFile(
      conf,
      [
        // As root, workers would otherwise run as nobody, who cannot write the suite's temp folders.
        process.getuid?.() === 0 ? 'user root;' : '',
        'worker_processes 1;',
        `pid ${dir}/nginx.pid;`,
        `error_log ${dir}/error.log warn;`,
        'events { worker_connections 256; }',
        'http {',
        '    access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((temp) => `    ${temp}_temp_path ${dir}/${temp};`),
        server,
        '}',
        '',
      ].join('\n'),
    );
    return startProxy(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], ports.proxy);
  },
});
