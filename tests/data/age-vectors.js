// Write the CCTV age test vectors (npm package cctv-age) into a directory, one file per vector.
//   node tests/data/age-vectors.js OUTDIR [PACKAGE_DIR]
// PACKAGE_DIR defaults to tests/.node/node_modules/cctv-age. Vectors marked "compressed: zlib" are
// written inflated, without that header line, so that readers need no zlib.
"use strict";
const fs = require("fs");
const path = require("path");
const url = require("url");
const zlib = require("zlib");

async function main() {
    const out = process.argv[2];
    if (!out) {
        console.error("usage: node age-vectors.js OUTDIR [PACKAGE_DIR]");
        process.exit(2);
    }
    const pkg = process.argv[3] || path.join(__dirname, "..", ".node", "node_modules", "cctv-age");
    const vectors = await import(url.pathToFileURL(path.join(pkg, "index.js")).href);
    fs.mkdirSync(out, { recursive: true, mode: 0o700 });
    let n = 0;
    for (const [name, data] of Object.entries(vectors)) {
        if (!(data instanceof Uint8Array))
            continue;
        let buf = Buffer.from(data);
        const end = buf.indexOf("\n\n");
        if (end < 0)
            throw new Error(`${name}: no blank line after the vector header`);
        const lines = buf.subarray(0, end).toString("latin1").split("\n");
        if (lines.includes("compressed: zlib")) {
            const body = zlib.inflateSync(buf.subarray(end + 2));
            const head = lines.filter((l) => l !== "compressed: zlib").join("\n") + "\n\n";
            buf = Buffer.concat([Buffer.from(head, "latin1"), body]);
        }
        fs.writeFileSync(path.join(out, name), buf, { mode: 0o600 });
        n++;
    }
    console.log(`wrote ${n} vectors to ${out}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
