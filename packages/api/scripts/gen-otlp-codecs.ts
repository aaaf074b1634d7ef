import { writeFileSync } from 'node:fs';
import { codecsSource } from '../src/otlp/codecs-source.js';

/** Writes packages/api/src/otlp/codecs.generated.ts after a change to descriptor.ts or to protobufjs. */
const target = new URL('../src/otlp/codecs.generated.ts', import.meta.url);
writeFileSync(target, codecsSource());
console.log(`wrote ${target.pathname}`);
