// The "JSON.parse of every line alone" baseline of bench/scan-speed.bench.ts: read an NDJSON file
// as a stream, split it into lines on bytes, decode and JSON.parse each line, nothing else.
//   node bench/parse-lines.mjs FILE
import { createReadStream } from 'node:fs';

let lines = 0;
let partial = null;
const parse = (bytes) => {
  if (bytes.length === 0) return;
  JSON.parse(bytes.toString('utf8'));
  lines++;
};
for await (const chunk of createReadStream(process.argv[2], { highWaterMark: 1024 * 1024 })) {
  let start = 0;
  let nl = chunk.indexOf(10);
  while (nl !== -1) {
    if (partial) {
      parse(Buffer.concat([partial, chunk.subarray(0, nl)]));
      partial = null;
    } else parse(chunk.subarray(start, nl));
    start = nl + 1;
    nl = chunk.indexOf(10, start);
  }
  if (start < chunk.length) partial = partial ? Buffer.concat([partial, chunk.subarray(start)]) : chunk.subarray(start);
}
if (partial) parse(partial);
process.stderr.write(`${lines} lines parsed\n`);
