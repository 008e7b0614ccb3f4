export default async function globalTeardown() {
  await globalThis.__hookflowRedis?.stop();
}
