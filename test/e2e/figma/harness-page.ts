// The page that stands in for Figma around the plugin UI: `dist/ui.html` in an
// `<iframe sandbox="allow-scripts" srcdoc=…>` (origin `null`, as in Figma), served from
// 127.0.0.1. Messages the UI posts to its parent go to the test (`__toSandbox`); the test
// answers through `__toUi` as Figma's main thread would. Uint8Arrays cross the Playwright
// bridge as base64 (`{ __bytes }`), and are real Uint8Arrays again on both sides.

export const HARNESS_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Figma harness</title>
<style>body{margin:0;background:#2c2c2c}iframe{border:0;width:380px;height:1100px;background:#fff}</style>
</head><body>
<iframe id="plugin" sandbox="allow-scripts"></iframe>
<script>
const iframe = document.getElementById('plugin');
function toB64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function encode(v) {
  if (v instanceof Uint8Array) return { __bytes: toB64(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = encode(v[k]); return o; }
  return v;
}
function decode(v) {
  if (v && typeof v === 'object' && typeof v.__bytes === 'string') return Uint8Array.from(atob(v.__bytes), (c) => c.charCodeAt(0));
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = decode(v[k]); return o; }
  return v;
}
window.addEventListener('message', (e) => {
  if (e.source !== iframe.contentWindow || !e.data || !('pluginMessage' in e.data)) return;
  window.__toSandbox(encode(e.data.pluginMessage));
});
window.__toUi = (m) => iframe.contentWindow.postMessage({ pluginMessage: decode(m) }, '*');
fetch('/ui.html').then((r) => r.text()).then((html) => { iframe.srcdoc = html; });
</script>
</body></html>`;

type Encoded = unknown;

export function encodeBytes(v: unknown): Encoded {
  if (v instanceof Uint8Array) return { __bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(encodeBytes);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeBytes(x)]));
  }
  return v;
}

export function decodeBytes(v: unknown): unknown {
  if (v && typeof v === 'object' && '__bytes' in v && typeof v.__bytes === 'string') {
    return new Uint8Array(Buffer.from(v.__bytes, 'base64'));
  }
  if (Array.isArray(v)) return v.map(decodeBytes);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeBytes(x)]));
  }
  return v;
}
