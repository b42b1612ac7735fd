/**
 * A tiny JSX factory that builds real DOM nodes: no framework, no innerHTML (so no markup injection and
 * nothing the strict CSP would refuse). Event handlers are `on<Event>` props; `class`, `for`, `aria-*`,
 * `data-*` become attributes; `value`/`checked`/`disabled` are set as properties.
 */
type Child = Node | string | number | boolean | null | undefined | Child[];
type Props = Record<string, unknown> | null;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    type Element = HTMLElement;
    interface IntrinsicElements {
      [tag: string]: Record<string, unknown>;
    }
  }
}

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'indeterminate', 'hidden']);

export function h(tag: string | ((props: Record<string, unknown>) => HTMLElement), props: Props, ...children: Child[]): HTMLElement {
  if (typeof tag === 'function') return tag({ ...(props ?? {}), children });
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) {
      if (PROPERTIES.has(name)) (element as unknown as Record<string, unknown>)[name] = value ?? false;
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value as EventListener);
    } else if (PROPERTIES.has(name)) {
      (element as unknown as Record<string, unknown>)[name] = value;
    } else if (name === 'ref' && typeof value === 'function') {
      (value as (el: HTMLElement) => void)(element);
    } else {
      element.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function Fragment(props: { children?: Child[] }): HTMLElement {
  const span = document.createElement('span');
  append(span, props.children ?? []);
  return span;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children.flat(Infinity as 1) as Child[]) {
    if (child === null || child === undefined || child === false || child === true) continue;
    parent.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
