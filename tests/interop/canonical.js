"use strict";
// Shared by roundtrip.js and encode-samples.js: the @msgpack/msgpack settings the interop tests use, and the
// canonical text rendering of a decoded value that the C# tests compare against.
//
// Canonical form (the C# side, JsCanonical.cs, renders .NET values the same way):
//   nil                      null
//   boolean                  true | false
//   integer                  decimal digits (a bigint, or a number that is a safe integer other than -0)
//   any other number         {"f64":"<16 hex digits of the IEEE 754 bits>"}, or {"f64":"NaN"}
//   string                   "<text>" with ", \ and U+0000..U+001F written as \u00xx, everything else as is
//   binary                   {"bin":"<hex>"}
//   timestamp (ext -1)       {"ts":[<seconds>,<nanoseconds>]} (also a Date, which the library's defaults decode to)
//   other extension          {"ext":[<type>,"<hex>"]}
//   array                    [<item>,<item>,...]
//   map                      {"map":{"<key>":<value>,...}} in the order the decoder produced the keys

const msgpack = require("@msgpack/msgpack");

/** A timestamp kept to the nanosecond (the library's default decoder makes a Date, which keeps milliseconds). */
class Timestamp {
  constructor(sec, nsec) {
    this.sec = sec;
    this.nsec = nsec;
  }
}

const extensionCodec = new msgpack.ExtensionCodec();
extensionCodec.register({
  type: msgpack.EXT_TIMESTAMP,
  encode: (value) => {
    if (value instanceof Timestamp) return msgpack.encodeTimeSpecToTimestamp(value);
    if (value instanceof Date) return msgpack.encodeTimestampExtension(value);
    return null;
  },
  decode: (data) => {
    const spec = msgpack.decodeTimestampToTimeSpec(data);
    return new Timestamp(spec.sec, spec.nsec);
  },
});

const options = { extensionCodec, useBigInt64: true };

const encode = (value) => msgpack.encode(value, options);
const decode = (bytes) => msgpack.decode(bytes, options);

function hex(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

function text(value) {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0);
    if (code < 0x20 || ch === '"' || ch === "\\") out += "\\u" + code.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function number(value) {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  if (Number.isNaN(value)) return '{"f64":"NaN"}';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return `{"f64":"${hex(new Uint8Array(view.buffer))}"}`;
}

function canonical(value) {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return value.toString();
    case "number":
      return number(value);
    case "string":
      return text(value);
  }
  if (value instanceof Uint8Array) return `{"bin":"${hex(value)}"}`;
  if (value instanceof Timestamp) return `{"ts":[${value.sec},${value.nsec}]}`;
  if (value instanceof Date) {
    const sec = Math.floor(value.getTime() / 1000);
    return `{"ts":[${sec},${(value.getTime() - sec * 1000) * 1000000}]}`;
  }
  if (value instanceof msgpack.ExtData) return `{"ext":[${value.type},"${hex(value.data)}"]}`;
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  const entries = Object.keys(value).map((key) => text(key) + ":" + canonical(value[key]));
  return '{"map":{' + entries.join(",") + "}}";
}

module.exports = { Timestamp, ExtData: msgpack.ExtData, encodeTimeSpec: msgpack.encodeTimeSpecToTimestamp, encode, decode, hex, canonical };
