// Mask editor: paint (brush) or erase the area to repaint over the image; the mask is
// exported at the image's own size, white = repaint, with the feather applied as a blur.
import { byId, openChannel } from './post';

const channel = openChannel();
const imageCanvas = byId<HTMLCanvasElement>('image');
const maskCanvas = byId<HTMLCanvasElement>('mask');
const promptInput = byId<HTMLInputElement>('prompt');
const sizeInput = byId<HTMLInputElement>('size');
const featherInput = byId<HTMLInputElement>('feather');
let painting = false;
let last: { x: number; y: number } | null = null;

function tool(): 'brush' | 'eraser' {
  const checked = document.querySelector<HTMLInputElement>('input[name="tool"]:checked');
  return checked?.value === 'eraser' ? 'eraser' : 'brush';
}

function point(ev: PointerEvent): { x: number; y: number } {
  const r = maskCanvas.getBoundingClientRect();
  return {
    x: ((ev.clientX - r.left) * maskCanvas.width) / r.width,
    y: ((ev.clientY - r.top) * maskCanvas.height) / r.height,
  };
}

function stroke(to: { x: number; y: number }): void {
  const g = maskCanvas.getContext('2d');
  if (!g) return;
  const scale = maskCanvas.width / Math.max(1, maskCanvas.getBoundingClientRect().width);
  g.globalCompositeOperation = tool() === 'eraser' ? 'destination-out' : 'source-over';
  g.strokeStyle = '#ffffff';
  g.fillStyle = '#ffffff';
  g.lineCap = 'round';
  g.lineJoin = 'round';
  g.lineWidth = Number(sizeInput.value) * scale;
  g.beginPath();
  const from = last ?? to;
  g.moveTo(from.x, from.y);
  g.lineTo(to.x, to.y);
  g.stroke();
  last = to;
}

maskCanvas.addEventListener('pointerdown', (ev) => {
  painting = true;
  last = null;
  maskCanvas.setPointerCapture(ev.pointerId);
  stroke(point(ev));
});
maskCanvas.addEventListener('pointermove', (ev) => {
  if (painting) stroke(point(ev));
});
maskCanvas.addEventListener('pointerup', () => {
  painting = false;
  last = null;
});

function exportMask(): string {
  const out = document.createElement('canvas');
  out.width = maskCanvas.width;
  out.height = maskCanvas.height;
  const g = out.getContext('2d');
  if (!g) return '';
  g.fillStyle = '#000000';
  g.fillRect(0, 0, out.width, out.height);
  const feather = Number(featherInput.value);
  if (feather > 0) g.filter = `blur(${feather}px)`;
  g.drawImage(maskCanvas, 0, 0);
  return out.toDataURL('image/png');
}

byId('clear').addEventListener('click', () =>
  maskCanvas.getContext('2d')?.clearRect(0, 0, maskCanvas.width, maskCanvas.height),
);
byId('done').addEventListener('click', () =>
  channel.send({ type: 'maskDone', maskDataUrl: exportMask(), prompt: promptInput.value }),
);
byId('cancel').addEventListener('click', () => channel.send({ type: 'maskCancel' }));

channel.onMessage((m) => {
  if (m.type !== 'maskImage') return;
  promptInput.value = m.prompt;
  for (const c of [imageCanvas, maskCanvas]) {
    c.width = m.width;
    c.height = m.height;
  }
  const img = new Image();
  img.onload = () => imageCanvas.getContext('2d')?.drawImage(img, 0, 0, m.width, m.height);
  img.src = m.src;
});
channel.send({ type: 'ready' });
