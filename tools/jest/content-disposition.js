// jest cannot require ES modules (Node can): @fastify/static (Swagger UI on Fastify) requires content-disposition 3,
// one. Its only use there is `reply.download()`, which no Leakwatch route calls; this CommonJS stand-in covers it.
module.exports = function contentDisposition(filename, options = {}) {
  const type = options.type ?? 'attachment';
  if (filename === undefined) return type;
  const name = String(filename).replace(/^.*[\\/]/, '');
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '?');
  return ascii === name ? `${type}; filename="${name}"` : `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
};
