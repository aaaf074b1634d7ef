import protobuf from 'protobufjs/light.js';
import { codecs } from './codecs.generated.js';
import { messageTypes } from './codecs-source.js';
import { descriptor } from './descriptor.js';
import { counted } from './limits.js';

const root = protobuf.Root.fromJSON(descriptor);

/*
 * Installs the checked-in codecs as protobufjs's `Type.setup()` would, but without `new Function`
 * (workerd refuses it): the same functions, generated at build time, so both hosts decode alike.
 */
interface Scope {
  Writer: typeof protobuf.Writer;
  Reader: typeof protobuf.Reader;
  util: typeof protobuf.util;
  types: unknown[];
  C: unknown;
}
type Part = (scope: Scope) => never;
interface Codec {
  ctor: unknown;
  encode: Part;
  decode: Part;
  verify: Part;
  fromObject: Part;
  toObject: Part;
}
const generated = new Map(Object.entries(codecs) as unknown as [string, Codec][]);
for (const type of messageTypes(root)) {
  const c = generated.get(type.fullName);
  if (!c) throw new Error(`codecs.generated.ts lacks ${type.fullName}: run npm run gen:otlp`);
  const types = type.fieldsArray.map((field) => field.resolve().resolvedType);
  type.ctor = c.ctor as unknown as protobuf.Constructor<object>; // the setter wires the prototype; set it before the codecs
  const scope = { Writer: protobuf.Writer, Reader: protobuf.Reader, util: protobuf.util, types, C: type.ctor };
  type.encode = c.encode(scope);
  type.decode = counted(type.name, c.decode(scope));
  type.verify = c.verify(scope);
  type.fromObject = counted(type.name, c.fromObject(scope));
  type.toObject = c.toObject(scope);
}

export const OTLP = {
  metricsRequest: root.lookupType('ExportMetricsServiceRequest'),
  metricsResponse: root.lookupType('ExportMetricsServiceResponse'),
  logsRequest: root.lookupType('ExportLogsServiceRequest'),
  logsResponse: root.lookupType('ExportLogsServiceResponse'),
};
