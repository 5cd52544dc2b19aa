"use strict";
// Reads one MessagePack value per line of standard input, as hex. For each it decodes the value with
// @msgpack/msgpack, encodes it again, and prints one line: "<hex of the new encoding>\t<canonical rendering>"
// (see canonical.js), or "error\t<message>" when the line cannot be decoded. Every input line gets an output line.

const fs = require("fs");
const { encode, decode, hex, canonical } = require("./canonical.js");

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
