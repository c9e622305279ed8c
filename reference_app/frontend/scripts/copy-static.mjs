// `output: "standalone"` writes a server that does not include the static assets (the
// deployment is expected to serve them from a CDN or copy them); copy them in, so
// `node .next/standalone/server.js` serves the whole site, as the Docker image does.
import { cpSync, existsSync } from "node:fs";

cpSync(".next/static", ".next/standalone/.next/static", { recursive: true });
if (existsSync("public")) cpSync("public", ".next/standalone/public", { recursive: true });
