// Names generated layers after their prompt, short enough for the layers panel.

export function layerName(prompt: string): string {
  const text = prompt.replace(/\s+/g, ' ').trim();
  return text.length === 0 ? 'Stipple image' : text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
