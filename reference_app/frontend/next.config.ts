import type { NextConfig } from "next";

const config: NextConfig = {
  // A self-contained server (node .next/standalone/server.js) for a small container image.
  output: "standalone",
  // The standalone trace would otherwise start at the workbook's root (it holds a lockfile too).
  outputFileTracingRoot: import.meta.dirname,
  turbopack: { root: import.meta.dirname },
  poweredByHeader: false,
  // Compression would buffer the Server-Sent Events that /api/v1/events streams through the
  // proxy route; a reverse proxy (Traefik) compresses in production.
  compress: false,
};

export default config;
