// Typed element lookup for the panel's fixed markup (ui.html): fails loudly when an id is
// missing or has another element type, instead of a silent null later.

export function el<T extends HTMLElement>(id: string, kind: { new (): T }): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`ui.html: #${id} is missing or is not a ${kind.name}`);
  return found;
}

export function show(node: HTMLElement, visible: boolean): void {
  node.classList.toggle('hidden', !visible);
}
