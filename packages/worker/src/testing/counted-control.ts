import type { ControlStore } from '@gasgauge/api';

/**
 * The control store with each method call's name pushed to `asked` before it runs: what would cross to
 * the control object on Workers, for tests of what the access cache saves.
 */
export function countedControl<T extends ControlStore>(store: T, asked: string[]): T {
  return new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        asked.push(String(prop));
        return value.apply(target, args);
      };
    },
  });
}
