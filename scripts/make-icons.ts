/**
 * `npm run icons [-- <output root>]`: draws the tray icons for every state and platform, and the
 * app icon, into `<output root>/assets/tray` and `<output root>/build/icon.png` (the root defaults
 * to this checkout). Pure Node, no image libraries: shapes are signed distance functions sampled
 * 4×4 per pixel, written by a small PNG encoder (and PNG-in-ICO for Windows).
 *
 * Deterministic: the geometry uses only + − × ÷ and sqrt (no `**`, sin or cos), which IEEE 754
 * rounds the same way everywhere, so the pixels are identical on every machine. The compressed bytes come from Node's
 * zlib, so they are identical run to run; the tests compare the committed files by their pixels.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { TRAY_ICON_STATES, type TrayIconState } from '../src/main/tray/tray-icons.js';

type Rgb = readonly [number, number, number];
/** Signed distance from (x, y) to a shape's edge in icon units (0..1 across), negative inside. */
type Shape = (x: number, y: number) => number;
/** Shapes painted in order: a sample takes the colour of the last shape that covers it. */
type Layer = readonly [Shape, Rgb];

const SUPERSAMPLE = 4;
const S = Math.SQRT1_2;

const circle =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r;

function box(x0: number, y0: number, x1: number, y1: number): Shape {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return (x, y) => {
    const dx = Math.abs(x - cx) - (x1 - x0) / 2;
    const dy = Math.abs(y - cy) - (y1 - y0) / 2;
    const ox = Math.max(dx, 0);
    const oy = Math.max(dy, 0);
    return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(dx, dy), 0);
  };
}

/** A convex polygon with clockwise vertices (y points down); exact enough for inside/outside. */
function polygon(points: readonly (readonly [number, number])[]): Shape {
  const edges = points.map(([x0, y0], i) => {
    const [x1, y1] = points[(i + 1) % points.length];
    const length = Math.sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
    return [x0, y0, (y1 - y0) / length, (x0 - x1) / length] as const; // the outward normal
  });
  return (x, y) => {
    let d = -Infinity;
    for (const [x0, y0, nx, ny] of edges) d = Math.max(d, (x - x0) * nx + (y - y0) * ny);
    return d;
  };
}

const union =
  (...shapes: Shape[]): Shape =>
  (x, y) => {
    let d = Infinity;
    for (const shape of shapes) d = Math.min(d, shape(x, y));
    return d;
  };
const minus =
  (shape: Shape, cut: Shape): Shape =>
  (x, y) =>
    Math.max(shape(x, y), -cut(x, y));
const outline =
  (shape: Shape, width: number): Shape =>
  (x, y) =>
    Math.abs(shape(x, y)) - width / 2;
/** `shape` grown by `radius`, which rounds its corners. */
const rounded =
  (shape: Shape, radius: number): Shape =>
  (x, y) =>
    shape(x, y) - radius;
/** `shape` drawn in axes turned 45° clockwise on screen about (cx, cy). */
const turned45 =
  (shape: Shape, cx: number, cy: number): Shape =>
  (x, y) =>
    shape(S * (x - cx - (y - cy)), S * (x - cx + (y - cy)));
/** `shape` scaled by `factor` about the centre of the icon. */
const scaled =
  (shape: Shape, factor: number): Shape =>
  (x, y) =>
    shape((x - 0.5) / factor + 0.5, (y - 0.5) / factor + 0.5) * factor;

/** A key pointing up and right: the bow at the lower left, the bit's teeth towards the badge. */
const KEY_SILHOUETTE = turned45(
  union(
    circle(0, 0, 0.21),
    box(0.15, -0.06, 0.8, 0.06),
    box(0.5, 0, 0.6, 0.18),
    box(0.68, 0, 0.8, 0.15),
  ),
  0.3,
  0.7,
);
const KEY = minus(KEY_SILHOUETTE, circle(0.3, 0.7, 0.085));

const BX = 0.77;
const BY = 0.77;
/** The badge's circle plus a gap, cut out of the key so the badge stands apart from it. */
const BADGE_CLEARANCE = circle(BX, BY, 0.28);

const BADGES: Record<Exclude<TrayIconState, 'signed_out'>, Shape> = {
  fresh: circle(BX, BY, 0.2),
  // A ring with a quarter missing and an arrowhead: the usual "reload" sign.
  refreshing: union(
    minus(outline(circle(BX, BY, 0.155), 0.075), box(BX, BY - 0.3, BX + 0.3, BY)),
    polygon([
      [BX - 0.01, BY - 0.255],
      [BX + 0.1, BY - 0.155],
      [BX - 0.01, BY - 0.055],
    ]),
  ),
  warning: minus(
    polygon([
      [BX, BY - 0.23],
      [BX + 0.23, BY + 0.2],
      [BX - 0.23, BY + 0.2],
    ]),
    union(box(BX - 0.04, BY - 0.1, BX + 0.04, BY + 0.07), circle(BX, BY + 0.13, 0.04)),
  ),
  error: turned45(union(box(-0.21, -0.055, 0.21, 0.055), box(-0.055, -0.21, 0.055, 0.21)), BX, BY),
};

const BLACK: Rgb = [0, 0, 0];
const KEY_GREY: Rgb = [0x9e, 0x9e, 0x9e];
const COLOURS: Record<TrayIconState, Rgb> = {
  signed_out: [0x8c, 0x8c, 0x8c],
  fresh: [0x2e, 0xa0, 0x43],
  refreshing: [0x1e, 0x78, 0xd7],
  warning: [0xf0, 0xa0, 0x00],
  error: [0xd7, 0x26, 0x1e],
};

/** Signed out: a hollow key and no badge; otherwise a solid key with the state's badge. */
function trayLayers(state: TrayIconState, template: boolean): Layer[] {
  const colour = template ? BLACK : COLOURS[state];
  // The silhouette without the hole: a hollow bow already reads as the key's ring.
  if (state === 'signed_out') return [[outline(KEY_SILHOUETTE, 0.075), colour]];
  return [
    [minus(KEY, BADGE_CLEARANCE), template ? BLACK : KEY_GREY],
    [BADGES[state], colour],
  ];
}

/** The app icon: a gold key on a navy square with rounded corners. */
const APP_ICON: Layer[] = [
  [rounded(box(0.22, 0.22, 0.78, 0.78), 0.18), [0x1f, 0x3a, 0x5f]],
  [scaled(KEY, 0.72), [0xf2, 0xb6, 0x32]],
];

/** RGBA pixels (not premultiplied; fully transparent pixels are 0,0,0,0). */
function render(size: number, layers: readonly Layer[]): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      const sum = [0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
          const layer = layers.findLast(([shape]) => shape(x, y) < 0);
          if (!layer) continue;
          covered++;
          for (let c = 0; c < 3; c++) sum[c] += layer[1][c];
        }
      }
      if (covered === 0) continue;
      const at = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(sum[c] / covered);
      pixels[at + 3] = Math.round((255 * covered) / samples);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(typeAndData.length + 8);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), out.length - 4);
  return out;
}

/** The PNG filter predictors for filter `type` from the bytes left (a), up (b) and up-left (c). */
function predict(type: number, a: number, b: number, c: number): number {
  switch (type) {
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default:
      return 0;
  }
}

/**
 * Each row gets the filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth) whose output has the
 * smallest sum of absolute signed bytes, the heuristic the PNG spec recommends for deflate.
 */
function filterRows(width: number, height: number, rgba: Uint8Array): Buffer {
  const stride = width * 4;
  const out = Buffer.alloc((stride + 1) * height);
  let previous: Uint8Array = new Uint8Array(stride);
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgba.subarray(y * stride, (y + 1) * stride);
    let best = { type: 0, score: Infinity, bytes: new Uint8Array(0) };
    for (let type = 0; type <= 4; type++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= 4 ? row[i - 4] : 0;
        const b = previous[i];
        const c = i >= 4 ? previous[i - 4] : 0;
        candidate[i] = (row[i] - predict(type, a, b, c)) & 0xff;
        score += candidate[i] < 128 ? candidate[i] : 256 - candidate[i];
      }
      if (score < best.score) best = { type, score, bytes: candidate.slice() };
    }
    out[y * (stride + 1)] = best.type;
    out.set(best.bytes, y * (stride + 1) + 1);
    previous = row;
  }
  return out;
}

/** An 8-bit RGBA, non-interlaced PNG. */
function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  // Bit depth 8, colour type 6 (RGBA), deflate, adaptive filtering, not interlaced.
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filterRows(size, size, rgba), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** An ICO whose entries are PNGs (Windows Vista and later read those at any size). */
function encodeIco(images: readonly { size: number; png: Buffer }[]): Buffer {
  const directory = Buffer.alloc(6 + 16 * images.length);
  directory.writeUInt16LE(1, 2); // type 1: icon
  directory.writeUInt16LE(images.length, 4);
  let offset = directory.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    directory.writeUInt8(size, entry); // width and height; sizes here stay below 256
    directory.writeUInt8(size, entry + 1);
    directory.writeUInt16LE(1, entry + 4); // colour planes
    directory.writeUInt16LE(32, entry + 6); // bits per pixel
    directory.writeUInt32LE(png.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([directory, ...images.map(({ png }) => png)]);
}

const ICO_SIZES = [16, 24, 32, 48];

function writeIcons(root: string): string[] {
  const files = new Map<string, Buffer>();
  const png = (size: number, layers: readonly Layer[]) => encodePng(size, render(size, layers));
  for (const state of TRAY_ICON_STATES) {
    const template = trayLayers(state, true);
    const coloured = trayLayers(state, false);
    files.set(`assets/tray/mac/${state}Template.png`, png(16, template));
    files.set(`assets/tray/mac/${state}Template@2x.png`, png(32, template));
    files.set(`assets/tray/linux/${state}-22.png`, png(22, coloured));
    files.set(`assets/tray/linux/${state}-32.png`, png(32, coloured));
    files.set(
      `assets/tray/win/${state}.ico`,
      encodeIco(ICO_SIZES.map((size) => ({ size, png: png(size, coloured) }))),
    );
  }
  files.set('build/icon.png', png(512, APP_ICON));
  for (const [path, bytes] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return [...files.keys()];
}

const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
const written = writeIcons(root);
process.stdout.write(`wrote ${written.length} icon files under ${root}\n`);
