import type { Component, FunctionComponent } from "preact";
import { h } from "preact";

/** `true` when the two props objects differ in any key (compared with `Object.is`). */
export function propsDiffer(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key in x) if (!(key in y)) return true;
  for (const key in y) if (!(key in x) || !Object.is(x[key], y[key])) return true;
  return false;
}

/**
 * `Inner` re-rendered only when its props change (shallowly), like preact/compat's `memo`
 * without loading compat: a live update or a status change then redraws only what it changed.
 */
export function memo<P extends object>(Inner: FunctionComponent<P>): FunctionComponent<P> {
  function Memo(this: Component<P>, props: P) {
    this.shouldComponentUpdate = (next: P) => propsDiffer(this.props, next);
    return h(Inner as FunctionComponent<object>, props);
  }
  Memo.displayName = `Memo(${Inner.displayName ?? Inner.name})`;
  return Memo as FunctionComponent<P>;
}
