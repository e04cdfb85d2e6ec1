// The simulated agents of bench/directory.ts, in their own process so that the write load
// generator is not slowed by reading thousands of event streams. Each agent holds one
// server-sent-events connection to the directory service and counts `caller-changed`
// events; the first `sampled` also record commit → receive latency (the event's `at`).
// Protocol over the IPC channel: start {base, tokens, count, sampled} → {ready};
// {report} → {received: number[], latencies: number[]}; {reset}; {stop}.
const listeners = [];

async function open(base, token, sampled) {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
  const listener = { received: 0, latencies: sampled ? [] : undefined, close: () => controller.abort() };
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let ready;
  const isReady = new Promise((resolve) => (ready = resolve));
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || value === undefined) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes('event: ready')) ready();
        else if (block.includes('event: caller-changed')) {
          listener.received += 1;
          const at = listener.latencies && /"at":(\d+)/.exec(block);
          if (at) listener.latencies.push(Date.now() - Number(at[1]));
        }
      }
    }
  })();
  await isReady;
  return listener;
}

process.on('message', async (message) => {
  if (message.type === 'start') {
    for (let i = 0; i < message.count; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(i + 50, message.count); j += 1) {
        batch.push(open(message.base, message.tokens[j % message.tokens.length], j < message.sampled));
      }
      listeners.push(...(await Promise.all(batch)));
    }
    process.send({ type: 'ready' });
  } else if (message.type === 'report') {
    process.send({
      type: 'report',
      received: listeners.map((l) => l.received),
      latencies: listeners.flatMap((l) => l.latencies ?? []),
    });
  } else if (message.type === 'reset') {
    for (const l of listeners) {
      l.received = 0;
      if (l.latencies) l.latencies = [];
    }
    process.send({ type: 'reset' });
  } else if (message.type === 'stop') {
    for (const l of listeners) l.close();
    process.exit(0);
  }
});
