// Preload (`node --import`) that makes every `@opentelemetry/api` import and require resolve to the
// package named by GENAI_COST_OTEL_API (an npm alias of another api version), for CJS and ESM alike.
import Module, { register } from 'node:module';

const target = process.env.GENAI_COST_OTEL_API;
if (target) {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return resolveFilename.call(this, request === '@opentelemetry/api' ? target : request, ...rest);
  };
  const hook = `export async function resolve(s, c, next) { return next(s === '@opentelemetry/api' ? ${JSON.stringify(target)} : s, c); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
