// The Fastify API of bench/forward-auth.js, in a process of its own on PORT: one route twice, GET /open as
// it is and GET /protected behind @tessera/verify's plugin (registered in the context of that route only),
// the verifier pointed at TESSERA_URL for the API TESSERA_AUDIENCE, tokens of issuer TESSERA_ISSUER, on its
// defaults otherwise (Tessera's answer about a credential reused for 1 s). It prints `ready` once it listens.
import { tesseraFastify } from '@tessera/verify';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const ok = async () => 'ok';
app.get('/open', ok);
await app.register(async (api) => {
  await api.register(tesseraFastify, { tessera: process.env.TESSERA_URL, audience: process.env.TESSERA_AUDIENCE, issuer: process.env.TESSERA_ISSUER });
  api.get('/protected', ok);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('ready');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
