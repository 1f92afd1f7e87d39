// Starts s3rver on 127.0.0.1 on a free port with its data in DIR and the given buckets,
// prints "PORT <n>" on stdout, and stops when its standard input closes (so it never
// outlives the test that started it). Usage: node s3rver_launcher.js DIR BUCKET...
// With S3RVER_PORT set it listens on that port instead (a test restarting it in place).
'use strict';
const path = require('path');
const S3rver = require(path.join(__dirname, 'node_modules', 's3rver'));

const [dir, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.S3RVER_PORT || 0),
  silent: true,
  directory: dir,
  serviceEndpoint: 'localhost',
  configureBuckets: buckets.map(name => ({ name })),
});
server.run().then(
  addr => {
    process.stdout.write(`PORT ${addr.port}\n`);
    process.stdin.resume();
    process.stdin.on('end', () => server.close().then(() => process.exit(0)));
  },
  err => {
    process.stderr.write(`s3rver: ${err.message}\n`);
    process.exit(1);
  },
);
