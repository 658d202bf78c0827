// Draws the extension's icon (media/icon.png, 128×128 RGBA) without any image library: a
// rounded navy tile, three candlesticks and a rising equity line with an anvil-spark at its
// end ("forge"), supersampled 4× for smooth edges, written as a PNG with node:zlib.
//
//   node extension/icon.mjs [out.png]
/* global process, Buffer */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 128, SS = 4, N = SIZE * SS;

function crc32(buf) {
    let c, crc = 0xffffffff;
    for (let n = 0; n < buf.length; n++) {
        c = (crc ^ buf[n]) & 0xff;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        crc = (crc >>> 8) ^ c;
    }
    return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
}

export function png(width, height, rgba) {
    const raw = Buffer.alloc((width * 4 + 1) * height);
    for (let y = 0; y < height; y++) {
        raw[y * (width * 4 + 1)] = 0;
        rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Paints at supersampled resolution; coordinates in icon pixels (0..128). */
function canvas() {
    const px = new Float32Array(N * N * 4);
    const blend = (x, y, [r, g, b, a]) => {
        const i = (y * N + x) * 4;
        const da = px[i + 3];
        const oa = a + da * (1 - a);
        if (oa <= 0) return;
        px[i] = (r * a + px[i] * da * (1 - a)) / oa;
        px[i + 1] = (g * a + px[i + 1] * da * (1 - a)) / oa;
        px[i + 2] = (b * a + px[i + 2] * da * (1 - a)) / oa;
        px[i + 3] = oa;
    };
    const fill = (inside, color) => {
        for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
            const u = (x + 0.5) / SS, v = (y + 0.5) / SS;
            const c = typeof color === 'function' ? color(u, v) : color;
            if (inside(u, v)) blend(x, y, c);
        }
    };
    const toPng = () => {
        const out = Buffer.alloc(SIZE * SIZE * 4);
        for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) {
            let r = 0, g = 0, b = 0, a = 0;
            for (let sy = 0; sy < SS; sy++) for (let sx = 0; sx < SS; sx++) {
                const i = ((y * SS + sy) * N + (x * SS + sx)) * 4;
                const pa = px[i + 3];
                r += px[i] * pa; g += px[i + 1] * pa; b += px[i + 2] * pa; a += pa;
            }
            const o = (y * SIZE + x) * 4;
            out[o] = a ? Math.round((r / a) * 255) : 0;
            out[o + 1] = a ? Math.round((g / a) * 255) : 0;
            out[o + 2] = a ? Math.round((b / a) * 255) : 0;
            out[o + 3] = Math.round((a / (SS * SS)) * 255);
        }
        return png(SIZE, SIZE, out);
    };
    return { fill, toPng };
}

const hex = (h, a = 1) => [parseInt(h.slice(1, 3), 16) / 255, parseInt(h.slice(3, 5), 16) / 255, parseInt(h.slice(5, 7), 16) / 255, a];

function roundedRect(x0, y0, x1, y1, r) {
    return (u, v) => {
        if (u < x0 || u > x1 || v < y0 || v > y1) return false;
        const cx = Math.min(Math.max(u, x0 + r), x1 - r), cy = Math.min(Math.max(v, y0 + r), y1 - r);
        return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
    };
}

function segment(ax, ay, bx, by, w) {
    return (u, v) => {
        const dx = bx - ax, dy = by - ay;
        const t = Math.max(0, Math.min(1, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)));
        return (u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2 <= (w / 2) ** 2;
    };
}

const polyline = (pts, w) => (u, v) => pts.slice(1).some((p, i) => segment(pts[i][0], pts[i][1], p[0], p[1], w)(u, v));

function star(cx, cy, r1, r2, n) {
    return (u, v) => {
        const a = Math.atan2(v - cy, u - cx), d = Math.hypot(u - cx, v - cy);
        const k = (Math.cos(a * n) + 1) / 2;
        return d <= r2 + (r1 - r2) * k ** 3;
    };
}

export function drawIcon() {
    const c = canvas();
    const top = hex('#1e3a6e'), bottom = hex('#0d1b33');
    c.fill(roundedRect(4, 4, 124, 124, 22), (_u, v) => top.map((t, i) => t + (bottom[i] - t) * (v / 128)));
    // Grid lines.
    for (const y of [40, 64, 88]) c.fill(segment(18, y, 110, y, 1.2), hex('#ffffff', 0.08));
    // Candlesticks: wick, then body.
    const candles = [[34, 56, 86, 66, 80, '#e5534b'], [54, 44, 78, 52, 72, '#3fb950'], [74, 38, 70, 44, 64, '#3fb950']];
    for (const [x, hi, lo, o, cl, col] of candles) {
        c.fill(segment(x, hi, x, lo, 2.4), hex(col, 0.9));
        c.fill(roundedRect(x - 6, Math.min(o, cl), x + 6, Math.max(o, cl), 1.5), hex(col));
    }
    // Rising equity line with a glow.
    const line = [[16, 100], [36, 90], [52, 94], [70, 72], [86, 76], [104, 40]];
    c.fill(polyline(line, 10), hex('#f0a030', 0.25));
    c.fill(polyline(line, 5), hex('#f7b84b'));
    // The spark at the end.
    c.fill(star(104, 40, 15, 4, 4), hex('#fff3c4'));
    c.fill((u, v) => (u - 104) ** 2 + (v - 40) ** 2 <= 16, hex('#ffffff'));
    return c.toPng();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const out = process.argv[2] ? resolve(process.argv[2]) : join(dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
    writeFileSync(out, drawIcon());
}
