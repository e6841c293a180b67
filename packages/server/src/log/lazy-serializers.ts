import { SerializerSelector, type SerializerFactory, type Serializer } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify's own response serializers (fast-json-stringify, the same compiler and options), each compiled
 * on the first response it writes rather than at start-up. Every route declares a schema for each of its
 * error statuses, and most are never sent by an idle instance: compiling them all up front held some
 * 5 MB of generated code for nothing. Each route gets a compiler of its own, so the order in which
 * responses come cannot change what is compiled (the stock one forgets an added schema once a
 * response schema with that $id has been compiled).
 */
export const lazySerializers: SerializerFactory = (externalSchemas, serializerOptions) => (route) => {
  let serialize: Serializer | undefined;
  return (data) => {
    serialize ??= SerializerSelector()(externalSchemas, serializerOptions)(route);
    return serialize(data);
  };
};
