// Numbers, times and formulas as the views print them.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bookNumber, figure, formatNumber, kilobytes, parseNumber, percent, resultLine, sixDecimals, sizeText, when,
} from "../../static/js/lib/format.js";

test("formatNumber writes numbers as a person types them", () => {
  assert.equal(formatNumber(0.4), "0.4");
  assert.equal(formatNumber(20), "20");
  assert.equal(formatNumber(1e-6), "1e-6");
  assert.equal(formatNumber(-2.5e-4), "-2.5e-4");
  assert.equal(formatNumber(0.001), "0.001");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(Number.NaN), "NaN");
});

test("parseNumber accepts what Number() reads and refuses empty, non-numeric and infinite text", () => {
  assert.deepEqual(parseNumber(" 0.4 "), { value: 0.4 });
  assert.deepEqual(parseNumber("1e-6"), { value: 1e-6 });
  assert.deepEqual(parseNumber(""), { error: "enter a number" });
  assert.deepEqual(parseNumber(undefined), { error: "enter a number" });
  assert.deepEqual(parseNumber("twenty"), { error: '"twenty" is not a number' });
  assert.deepEqual(parseNumber("1e999"), { error: "must be a finite number" });
  assert.deepEqual(parseNumber("-Infinity"), { error: "must be a finite number" });
});

test("the book's line for a 2D path: six decimals with the sign, as Python's %f prints", () => {
  assert.equal(bookNumber(-0.0105987), "-0.010599");
  assert.equal(bookNumber(-1e-9), "-0.000000"); // 7.5, AdaGrad η = 2: "x2 -0.000000"
  assert.equal(bookNumber(-0), "-0.000000");
  assert.equal(bookNumber(0), "0.000000");
  assert.equal(bookNumber(3e-12), "0.000000"); // 7.6, RMSProp: "x2 0.000000"
  const path = [[-5, -2], [-4, -1], [-0.002295, -3e-12]];
  assert.equal(resultLine(path), "epoch 2, x1 -0.002295, x2 -0.000000");
});

test("table figures: six decimals or significant digits, a dash for none", () => {
  assert.equal(sixDecimals(0.2434521), "0.243452");
  assert.equal(sixDecimals(null), "–");
  assert.equal(sixDecimals(Number.NaN), "–");
  assert.equal(figure(0.61796234), "0.617962");
  assert.equal(figure(1.03621e-14), "1.03621e-14");
  assert.equal(figure(0.0024812, 3), "0.00248");
  assert.equal(figure(null), "–");
  assert.equal(figure(undefined), "–");
  assert.equal(figure(Infinity), "Infinity");
});

test("percent is rounded down and clamped", () => {
  assert.equal(percent(0.456), "45%");
  assert.equal(percent(0.999), "99%");
  assert.equal(percent(1), "100%");
  assert.equal(percent(1.5), "100%");
  assert.equal(percent(-0.2), "0%");
});

test("when prints local time as YYYY-MM-DD HH:MM:SS, zero-padded", () => {
  const zone = process.env.TZ;
  try {
    process.env.TZ = "UTC";
    assert.equal(when(0), "1970-01-01 00:00:00");
    assert.equal(when(1764643203.9), "2025-12-02 02:40:03");
    process.env.TZ = "Asia/Shanghai"; // many of the users: UTC+8
    assert.equal(when(0), "1970-01-01 08:00:00");
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});

test("kilobytes: one decimal", () => {
  assert.equal(kilobytes(2150), "2.1");
  assert.equal(kilobytes(10 * 1024 * 1024), "10240");
  assert.equal(kilobytes(0), "0");
});

test("sizeText: powers of 1024, one decimal", () => {
  assert.equal(sizeText(0), "0 B");
  assert.equal(sizeText(512), "512 B");
  assert.equal(sizeText(2150), "2.1 kB");
  assert.equal(sizeText(1000 * 2 ** 20), "1000 MB");
  assert.equal(sizeText(1.25 * 2 ** 30), "1.3 GB");
});
