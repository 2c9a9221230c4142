export default async function globalTeardown(): Promise<void> {
  const stops = (globalThis as { __TG_STOP__?: Array<() => Promise<void>> }).__TG_STOP__ ?? [];
  for (const stop of stops.reverse()) await stop();
}
