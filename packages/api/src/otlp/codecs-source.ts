import protobuf from 'protobufjs/light.js';
import { descriptor } from './descriptor.js';

/**
 * The functions protobufjs's `Type.setup()` builds with `new Function` at run time, and the scope each
 * closes over there. workerd refuses code generation from strings (even at module scope), so the same
 * generator runs here, on Node, and its output is checked in as codecs.generated.ts: one implementation
 * (protobufjs's own) for both hosts, no hand-written wire parsing.
 */
const PARTS = [
  ['encode', 'Writer, types, util', protobuf.encoder],
  ['decode', 'Reader, types, util, C', protobuf.decoder],
  ['verify', 'types, util', protobuf.verifier],
  ['fromObject', 'types, util, C', protobuf.converter.fromObject],
  ['toObject', 'types, util', protobuf.converter.toObject],
] as const;

/** Every message type of a root, nested ones included, in declaration order. */
export function messageTypes(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.flatMap((o) => [
    ...(o instanceof protobuf.Type ? [o] : []),
    ...(o instanceof protobuf.Namespace || o instanceof protobuf.Type ? messageTypes(o) : []),
  ]);
}

/** The source of codecs.generated.ts for descriptor.ts (`npm run gen:otlp` writes it; codecs.test.ts compares). */
export function codecsSource(): string {
  const root = protobuf.Root.fromJSON(descriptor);
  const entries = messageTypes(root).map((type) => {
    type.setup(); // resolves fields (and feature defaults) exactly as at run time before generating
    const parts = PARTS.map(([name, scope, gen]) => `    ${name}: ({ ${scope} }) => ${gen(type).toString()},`);
    const ctor = `    ctor: ${protobuf.Type.generateConstructor(type).toString()},`;
    return `  ${JSON.stringify(type.fullName)}: {\n${ctor}\n${parts.join('\n')}\n  },`;
  });
  return [
    '// @ts-nocheck -- generated JavaScript: protobufjs codegen output for descriptor.ts.',
    '// Do not edit: `npm run gen:otlp` writes it; codecs.test.ts fails when it is stale.',
    'export const codecs = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}
