import { render } from "preact";
import { useState } from "preact/hooks";
import { act } from "preact/test-utils";
import { describe, expect, it } from "vitest";
import { memo, propsDiffer } from "./memo";

describe("propsDiffer", () => {
  it("compares keys shallowly", () => {
    const list = [1];
    expect(propsDiffer({ a: 1, list }, { a: 1, list })).toBe(false);
    expect(propsDiffer({ a: 1, list }, { a: 1, list: [1] })).toBe(true);
    expect(propsDiffer({ a: 1 }, { a: 2 })).toBe(true);
    expect(propsDiffer({ a: 1, b: 2 }, { a: 1 })).toBe(true);
    expect(propsDiffer({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(propsDiffer({ n: Number.NaN }, { n: Number.NaN })).toBe(false);
  });
});

describe("memo", () => {
  it("renders again only when a prop changes", () => {
    let renders = 0;
    const Label = memo(({ text }: { text: string }) => {
      renders += 1;
      return <span>{text}</span>;
    });
    let bump: (n: number) => void = () => undefined;
    let rename: (t: string) => void = () => undefined;
    function Parent() {
      const [count, setCount] = useState(0);
      const [text, setText] = useState("a");
      bump = setCount;
      rename = setText;
      return (
        <p data-count={count}>
          <Label text={text} />
        </p>
      );
    }
    const root = document.createElement("div");
    act(() => render(<Parent />, root));
    expect(renders).toBe(1);
    act(() => bump(1));
    act(() => bump(2));
    expect(root.querySelector("p")?.dataset.count).toBe("2");
    expect(renders).toBe(1);
    act(() => rename("b"));
    expect(renders).toBe(2);
    expect(root.textContent).toBe("b");
  });
});
