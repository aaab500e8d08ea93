// Hand-built PNGs for the input-hardening tests: valid images of any size and colour type, and
// the broken variants an attacker would send (truncated, bad CRC, wrong magic, a bomb header).
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 } as const;
export type ColourType = keyof typeof CHANNELS;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function ihdr(width: number, height: number, colour: ColourType): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = 8;
  b[9] = colour;
  return b;
}

/** A valid 8-bit PNG filled with a gradient. */
export function makePng(width: number, height: number, colour: ColourType = 2): Buffer {
  const ch = CHANNELS[colour];
  const raw = Buffer.alloc((width * ch + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * ch + 1);
    for (let i = 0; i < width * ch; i++) raw[row + 1 + i] = (i * 7 + y * 3) & 0xff;
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr(width, height, colour)),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small file whose header declares a huge image (a decompression bomb's first bytes). */
export function bombPng(width: number, height: number): Buffer {
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr(width, height, 2)),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function truncated(png: Buffer): Buffer {
  return png.subarray(0, Math.floor(png.length * 0.6));
}

export function badCrc(png: Buffer): Buffer {
  const b = Buffer.from(png);
  b[8 + 8 + 13 + 4 + 8 + 2] ^= 0xff; // a byte inside IDAT's data
  return b;
}

export function wrongMagic(png: Buffer): Buffer {
  const b = Buffer.from(png);
  b[1] = 0x51;
  return b;
}
