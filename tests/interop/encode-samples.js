"use strict";
// Encodes a fixed set of JavaScript values with @msgpack/msgpack and prints one line per value:
// "<name>\t<hex of the encoding>". The C# test JavaScriptInteropTests knows, by name, what each must decode to.

const { Timestamp, ExtData, encodeTimeSpec, encode, hex } = require("./canonical.js");

const repeat = (count, make) => Array.from({ length: count }, (_, i) => make(i));
const bytes = (count) => Uint8Array.from(repeat(count, (i) => i % 251));

const samples = [
  ["nil", null],
  ["true", true],
  ["false", false],

  // Numbers: JS writes safe integers below 2^32 in magnitude as the smallest integer, larger ones (with
  // useBigInt64) as float64, and bigints as uint64 (>= 0) or int64.
  ["int 0", 0],
  ["int 127", 127],
  ["int 128", 128],
  ["int 255", 255],
  ["int 256", 256],
  ["int 65535", 65535],
  ["int 65536", 65536],
  ["int 4294967295", 4294967295],
  ["int -1", -1],
  ["int -32", -32],
  ["int -33", -33],
  ["int -128", -128],
  ["int -129", -129],
  ["int -32768", -32768],
  ["int -32769", -32769],
  ["int -2147483648", -2147483648],
  ["number 4294967296", 4294967296],
  ["number -2147483649", -2147483649],
  ["number 2^53-1", Number.MAX_SAFE_INTEGER],
  ["bigint 0", 0n],
  ["bigint 2^63-1", 9223372036854775807n],
  ["bigint -2^63", -9223372036854775808n],
  ["bigint 2^64-1", 18446744073709551615n],
  ["float 0.5", 0.5],
  ["float pi", Math.PI],
  ["float 1e300", 1e300],
  ["float min", Number.MIN_VALUE],
  ["float NaN", NaN],
  ["float Infinity", Infinity],
  ["float -Infinity", -Infinity],

  ["str empty", ""],
  ["str 31", "x".repeat(31)],
  ["str 32", "x".repeat(32)],
  ["str 256", "y".repeat(256)],
  ["str unicode", "Кириллица ひらがな 한글 漢字 ❤ 🍺 \u0000\t\"\\"],
  ["str 80000 bytes", "ж".repeat(40000)],

  ["bin empty", new Uint8Array(0)],
  ["bin 5", Uint8Array.of(0, 1, 127, 128, 255)],
  ["bin 256", bytes(256)],
  ["bin 70000", bytes(70000)],

  ["array mixed", [1, "two", 3.5, null, true, [[]], { a: 1 }, Uint8Array.of(9)]],
  ["array 16", repeat(16, (i) => i)],
  ["array 70000", repeat(70000, (i) => i % 100)],
  ["map nested", { name: "wren", list: [1, 2, 3], inner: { deep: { deeper: "yes" } }, empty: {} }],
  ["map 16", Object.fromEntries(repeat(16, (i) => ["k" + i, i]))],

  // Dates keep milliseconds; the library picks the timestamp form.
  ["date 32", new Date(Date.UTC(2024, 0, 2, 3, 4, 5))],
  ["date 64", new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))],
  ["date 96 before 1970", new Date(Date.UTC(1900, 0, 1, 0, 0, 0, 1))],
  ["date 96 after 2514", new Date(Date.UTC(2600, 5, 15, 12, 0, 0))],
  ["timestamp nanoseconds", new Timestamp(1700000000, 123456700)],
  ["timestamp year 0", new Timestamp(-62167219200, 0)],
  ["ext 5", new ExtData(5, Uint8Array.of(1, 2, 3))],
  ["ext 127 empty", new ExtData(127, new Uint8Array(0))],

  // The shape of the C# record InteropRecord, with one key it does not have.
  [
    "record",
    {
      Name: "wren",
      Id: 9007199254740993n,
      Score: 2.5,
      Counts: [1, -2, 300000],
      When: new Date(Date.UTC(2023, 10, 14, 22, 13, 20, 5)),
      Tags: { kind: "test", size: 3, ratio: 0.75, ok: true, none: null, list: ["a", 1] },
      Blob: Uint8Array.of(4, 5, 6),
      Child: { Label: "child", Ratio: 0.25 },
      Labels: ["x", "y"],
      Active: true,
      Extra: { ignored: [1, 2, 3] },
    },
  ],
  ["record reordered partial", { Labels: [], Name: "second", Child: null, Id: 7 }],
  ["longs", [0, -1, 2147483648, -2147483649, 4294967296, Number.MAX_SAFE_INTEGER, 9223372036854775807n, -9223372036854775808n]],
  ["doubles", [0.5, 1, -2, 1e300, 4294967296, NaN]],
  ["dictionary", { a: 1, b: "two", c: [1, 2], d: { e: null }, f: 1.5, g: true, h: Uint8Array.of(1, 2), i: 5000000000n }],

  // Arrays, lists, dictionaries and nested collections of every standard type, for Wren's typed targets.
  ["bools", [true, false, true]],
  ["signed integers", [-128, -1, 0, 127]],
  ["unsigned integers", [0, 255, 65535, 4294967295]],
  ["uint64 array", [0n, 18446744073709551615n]],
  ["floats", [0.5, -0.25, 1e30, Infinity, NaN]],
  // Float 64 runs broken every seventh value by an integer, as another writer's doubles come (IEEE arithmetic, the same in .NET).
  ["doubles 5000", repeat(5000, (i) => (i % 7 === 0 ? i : i * 0.37 - 900.5))],
  ["strings", ["a", "", "ж🍺", "x".repeat(40)]],
  ["strings with null", ["a", null]],
  ["nullable numbers", [1, null, -3]],
  ["nested arrays", [[1, 2], [], [3]]],
  ["grid", [[2, 3], [1, 2, 3, 4, 5, 6]]],
  ["map of doubles", { a: 0.5, b: -1, c: 1e300, d: NaN }],
  ["map of strings", { a: "x", b: "", c: null }],
  ["map of arrays", { xs: [1, 2], ys: [] }],
  ["map of bools", { yes: true, no: false }],
  ["char 65", 65],
  ["char 65535", 65535],
  ["decimal string", "1.50"],
  ["guid string", "0f8fad5b-d9cb-469f-a165-70867728950e"],
  ["enum -300", -300],
  ["tuple", [1, "two", 3.5]],
  ["dates", [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999))]],
];

const out = samples.map(([name, value]) => name + "\t" + hex(encode(value)));
process.stdout.write(out.join("\n") + "\n");
