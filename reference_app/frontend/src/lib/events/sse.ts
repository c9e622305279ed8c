/**
 * A Server-Sent Events client over fetch(). The browser's `EventSource` cannot send an
 * `Authorization` header, and without one `/api/v1/events` streams only public events (no own
 * todos or drafts). This one sends the bearer token, and resumes as `EventSource` does: it
 * remembers the last event id and sends it as `Last-Event-ID` when it reconnects, after the
 * delay the server asked for with `retry:`.
 */

export interface StreamEvent {
  id: string | null;
  type: string;
  data: string;
}

/** Feed it text as it arrives; it calls back once per complete event (WHATWG HTML §9.2.6). */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private type = "";
  lastEventId: string | null = null;
  retry: number | null = null;

  constructor(
    private readonly onEvent: (event: StreamEvent) => void,
    private readonly onRetry: (milliseconds: number) => void = () => {},
  ) {}

  push(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? ""; // an incomplete last line waits for the next chunk
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return; // a comment: the server's heartbeat
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.type = value;
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) {
      this.retry = Number(value);
      this.onRetry(this.retry);
    }
  }

  private dispatch(): void {
    const type = this.type || "message";
    this.type = "";
    if (this.data.length === 0) return;
    const data = this.data.join("\n");
    this.data = [];
    this.onEvent({ id: this.lastEventId, type, data });
  }
}

export type StreamState = "connecting" | "open" | "closed";

export interface FollowOptions {
  url: string;
  token: () => string | null;
  onEvent: (event: StreamEvent) => void;
  onState?: (state: StreamState) => void;
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** Where to resume from, e.g. the id seen before the token changed. */
  lastEventId?: string | null;
  /** Until the server says otherwise with `retry:`. */
  reconnectMilliseconds?: number;
}

/** Follow the stream until `signal` aborts, reconnecting with `Last-Event-ID`. Resolves to the last id seen. */
export async function followEvents(options: FollowOptions): Promise<string | null> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  let lastEventId = options.lastEventId ?? null;
  let delay = options.reconnectMilliseconds ?? 2000;
  while (!options.signal.aborted) {
    options.onState?.("connecting");
    const parser = new SseParser(
      (event) => {
        lastEventId = event.id;
        options.onEvent(event);
      },
      (milliseconds) => {
        delay = milliseconds;
        // The app sends `retry:` once it has subscribed: from here on nothing is missed.
        options.onState?.("open");
      },
    );
    parser.lastEventId = lastEventId;
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      const token = options.token();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (lastEventId) headers["Last-Event-ID"] = lastEventId;
      const response = await fetchImpl(options.url, { headers, signal: options.signal, cache: "no-store" });
      if (response.ok && response.body) {
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      }
    } catch {
      // A dropped connection or an abort: reconnect below, or stop if aborted.
    }
    // Aborted: a newer stream (another token) may already be reporting its own state.
    if (options.signal.aborted) break;
    options.onState?.("closed");
    await sleep(delay, options.signal);
  }
  return lastEventId;
}

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
