// How requests are checked against their JSON schemas. A JSON body is taken as sent: no coercion, so
// `123` where a string belongs is a 400 naming the field, never the string "123". Query strings and
// path parameters are text by nature: a value is converted only to the type its schema declares
// (integer, number, boolean); non-finite numbers were refused before (api/input-guard.ts).
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const common: Options = {
  // Unknown fields are refused by `additionalProperties: false`, not silently dropped.
  removeAdditional: false,
  useDefaults: true,
  // One error is enough to name the field, and all-errors validation of hostile input is costly.
  allErrors: false,
  allowUnionTypes: true,
};

function ajv(options: Options): Ajv {
  const instance = new Ajv({ ...common, ...options });
  addFormats(instance);
  return instance;
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = ajv({ coerceTypes: false });
  const textual = ajv({ coerceTypes: true });
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : textual).compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}
