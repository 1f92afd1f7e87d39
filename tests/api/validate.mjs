// Validates docs/openapi.yaml with @apidevtools/swagger-parser (pinned in package-lock.json)
// and prints the dereferenced document as JSON on stdout for openapi_test.py.
import SwaggerParser from "@apidevtools/swagger-parser";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.join(here, "..", "..", "docs", "openapi.yaml");
try {
  await SwaggerParser.validate(file);
  const api = await SwaggerParser.dereference(file);
  process.stdout.write(JSON.stringify(api));
} catch (err) {
  process.stderr.write(`openapi: ${err.message}\n`);
  process.exit(1);
}
