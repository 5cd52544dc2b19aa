"use strict";
// Reads one MessagePack value per line of standard input, as hex. For each it decodes the value with
// @msgpack/msgpack, encodes it again, and prints one line: "<hex of the new encoding>\t<canonical rendering>"
// (see canonical.js), or "error\t<message>" when the line cannot be decoded. Every input line gets an output line.
// With --library-defaults it decodes and encodes with the library's default options instead of the tests' settings
// (which keep 64-bit integers as BigInt and timestamps to the nanosecond): what a JavaScript user gets out of the box.

const fs = require("fs");
const msgpack = require("@msgpack/msgpack");
const tests = require("./canonical.js");
const { hex, canonical } = tests;

const libraryDefaults = process.argv.includes("--library-defaults");
const encode = libraryDefaults ? (value) => msgpack.encode(value) : tests.encode;
const decode = libraryDefaults ? (bytes) => msgpack.decode(bytes) : tests.decode;

const lines = fs.readFileSync(0, "utf8").split("\n");
if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();

const out = [];
for (const line of lines) {
  try {
    const value = decode(Buffer.from(line.trim(), "hex"));
    out.push(hex(encode(value)) + "\t" + canonical(value));
  } catch (error) {
    out.push("error\t" + String(error && error.message ? error.message : error).replace(/\s+/g, " "));
  }
}
process.stdout.write(out.join("\n") + (out.length > 0 ? "\n" : ""));
