// The upstream of bench/forward-auth.js's nginx rows: the smallest API there is, node:http answering every
// request 200 "ok", in a process of its own on PORT, so that each row measures the proxy and the check in
// front of it. It prints `ready` once it listens.
import { createServer } from 'node:http';

createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '2' });
  response.end('ok');
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
