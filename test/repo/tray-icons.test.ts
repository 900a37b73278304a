import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetsDirectory, TRAY_ICON_STATES, trayIconPath } from '../../src/main/tray/tray-icons.js';

interface Image {
  width: number;
  height: number;
  /** RGBA, 8 bits a channel. */
  pixels: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Predicts a byte from its left (a), upper (b) and upper-left (c) neighbours, per PNG filter type. */
function predict(type: number, a: number, b: number, c: number): number {
  switch (type) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4: {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    default:
      throw new Error(`unknown PNG filter type ${type}`);
  }
}

/** A PNG decoder for 8-bit RGBA without interlacing (it rejects anything else), all filters. */
function decodePng(bytes: Uint8Array): Image {
  const buffer = Buffer.from(bytes);
  expect([...buffer.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    const end = at + 8 + length;
    expect(buffer.readUInt32BE(end), `${type} CRC`).toBe(crc32(buffer.subarray(at + 4, end)));
    chunks.push({ type, data: buffer.subarray(at + 8, end) });
    at = end + 4;
  }
  expect([chunks[0].type, chunks.at(-1)?.type]).toEqual(['IHDR', 'IEND']);
  const header = chunks[0].data;
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  expect([...header.subarray(8)], 'depth 8, RGBA, deflate, filter 0, no interlace').toEqual([
    8, 6, 0, 0, 0,
  ]);
  const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
  const filtered = inflateSync(idat);
  const stride = width * 4;
  expect(filtered.length).toBe((stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = filtered[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const at = y * stride + i;
      const a = i >= 4 ? pixels[at - 4] : 0;
      const b = y > 0 ? pixels[at - stride] : 0;
      const c = i >= 4 && y > 0 ? pixels[at - stride - 4] : 0;
      pixels[at] = (filtered[y * (stride + 1) + 1 + i] + predict(type, a, b, c)) & 0xff;
    }
  }
  return { width, height, pixels };
}

/** The images of an ICO whose entries are PNGs; the directory must agree with each PNG. */
function decodeIco(bytes: Buffer): Image[] {
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)], 'reserved 0, type 1 (icon)').toEqual([
    0, 1,
  ]);
  const count = bytes.readUInt16LE(4);
  let next = 6 + 16 * count;
  const images = Array.from({ length: count }, (_, i) => {
    const entry = 6 + 16 * i;
    const [width, height] = [bytes[entry] || 256, bytes[entry + 1] || 256];
    expect([bytes.readUInt16LE(entry + 4), bytes.readUInt16LE(entry + 6)]).toEqual([1, 32]);
    const length = bytes.readUInt32LE(entry + 8);
    const offset = bytes.readUInt32LE(entry + 12);
    expect(offset, 'entries follow one another').toBe(next);
    next = offset + length;
    const image = decodePng(bytes.subarray(offset, offset + length));
    expect([image.width, image.height], `entry ${i}`).toEqual([width, height]);
    return image;
  });
  expect(next, 'the last entry ends the file').toBe(bytes.length);
  return images;
}

function decode(path: string): Image[] {
  const bytes = readFileSync(path);
  return path.endsWith('.ico') ? decodeIco(bytes) : [decodePng(bytes)];
}

/** Size and pixel digest of each image in a file: quick to compare, short to print. */
const looks = (path: string) =>
  decode(path).map(
    ({ width, height, pixels }) =>
      `${width}x${height} ${createHash('sha256').update(pixels).digest('hex')}`,
  );

/** Every file scripts/make-icons.ts writes, the pixel sizes inside it, and if it is a template. */
const ICONS = [
  ...TRAY_ICON_STATES.flatMap((state) => [
    { path: `assets/tray/mac/${state}Template.png`, sizes: [16], template: true },
    { path: `assets/tray/mac/${state}Template@2x.png`, sizes: [32], template: true },
    { path: `assets/tray/linux/${state}-22.png`, sizes: [22], template: false },
    { path: `assets/tray/linux/${state}-32.png`, sizes: [32], template: false },
    { path: `assets/tray/win/${state}.ico`, sizes: [16, 24, 32, 48], template: false },
  ]),
  { path: 'build/icon.png', sizes: [512], template: false },
];

function filesUnder(root: string, folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .map((name) => join(folder, name))
    .filter((path) => statSync(join(root, path)).isFile())
    .sort();
}

const visible = ({ pixels }: Image) => pixels.some((value, i) => i % 4 === 3 && value > 0);

describe('tray and app icons', () => {
  it('assets/tray holds exactly the icons the generator writes', () => {
    const trayIcons = ICONS.map((icon) => icon.path).filter((path) => path.startsWith('assets/'));
    expect(filesUnder('.', 'assets/tray')).toEqual(trayIcons.map((path) => join(path)).sort());
  });

  it.each(ICONS)('$path holds $sizes px and is not blank', ({ path, sizes }) => {
    const images = decode(path);
    expect(images.map((image) => [image.width, image.height])).toEqual(sizes.map((s) => [s, s]));
    expect(images.every(visible)).toBe(true);
  });

  it.each(ICONS.filter((icon) => icon.template))(
    '$path is a macOS template: black with alpha only',
    ({ path }) => {
      const [{ pixels }] = decode(path);
      const coloured = [];
      for (let at = 0; at < pixels.length; at += 4) {
        if (pixels[at + 3] > 0 && (pixels[at] || pixels[at + 1] || pixels[at + 2])) {
          coloured.push(at / 4);
        }
      }
      expect(coloured).toEqual([]);
    },
  );

  it('tells the states apart in every file kind', () => {
    const kinds = ICONS.filter((icon) => icon.path.includes('/fresh'));
    for (const { path } of kinds) {
      const states = TRAY_ICON_STATES.map((state) => looks(path.replace('fresh', state)).join());
      expect(new Set(states).size, path).toBe(TRAY_ICON_STATES.length);
    }
  });
});

describe('trayIconPath and assetsDirectory', () => {
  const checkout = assetsDirectory({ packaged: false, resourcesPath: '/nowhere', appPath: '.' });

  it('find the tray folder in a checkout and in the packaged resources', () => {
    expect(checkout).toBe(join('assets', 'tray'));
    const packaged = { packaged: true, resourcesPath: '/opt/app/resources', appPath: '/x' };
    expect(assetsDirectory(packaged)).toBe(join('/opt/app/resources', 'tray'));
  });

  it.each(TRAY_ICON_STATES)('points at existing files for %s on every platform', (state) => {
    const mac = trayIconPath(state, 'darwin', checkout);
    expect(mac).toBe(join(checkout, 'mac', `${state}Template.png`));
    expect(existsSync(mac) && existsSync(mac.replace(/\.png$/, '@2x.png'))).toBe(true);
    expect(trayIconPath(state, 'win32', checkout)).toBe(join(checkout, 'win', `${state}.ico`));
    expect(trayIconPath(state, 'linux', checkout)).toBe(join(checkout, 'linux', `${state}-22.png`));
    for (const platform of ['win32', 'linux', 'freebsd']) {
      expect(existsSync(trayIconPath(state, platform, checkout)), platform).toBe(true);
    }
  });
});

describe('scripts/make-icons.ts', () => {
  const runs: string[] = [];

  beforeAll(async () => {
    runs.push(...[1, 2].map(() => mkdtempSync(join(tmpdir(), 'make-icons-'))));
    const run = promisify(execFile);
    await Promise.all(
      runs.map((root) => run(process.execPath, ['--import', 'tsx', 'scripts/make-icons.ts', root])),
    );
  });

  afterAll(() => {
    for (const root of runs) rmSync(root, { recursive: true, force: true });
  });

  it('writes the same bytes every run', () => {
    const [first, second] = runs;
    const files = [...filesUnder(first, 'assets'), ...filesUnder(first, 'build')];
    expect(files).toEqual(ICONS.map((icon) => join(icon.path)).sort());
    expect([...filesUnder(second, 'assets'), ...filesUnder(second, 'build')]).toEqual(files);
    for (const file of files) {
      expect(readFileSync(join(second, file)).equals(readFileSync(join(first, file))), file).toBe(
        true,
      );
    }
  });

  // By pixels, not bytes: another zlib build may compress the same image differently.
  it('reproduces the committed icons', () => {
    for (const { path } of ICONS) expect(looks(join(runs[0], path)), path).toEqual(looks(path));
  });
});
